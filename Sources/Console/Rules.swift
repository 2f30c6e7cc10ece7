import GatewayModel

/// The walkthrough's rules R1–R4, checked against the configuration, each with the places that break it.
struct RuleCheck {
    var id: String
    var title: String
    var broken: [String]

    /// Thresholds the user can change.
    struct Thresholds {
        /// The highest rate (requests per second) a stage or plan may allow (R3).
        var maximumRate: Double = 100_000
    }

    static func check(_ model: ConsoleModel, thresholds: Thresholds) -> [RuleCheck] {
        var r1: [String] = []
        var r2: [String] = []
        var r3: [String] = []
        var r4: [String] = []
        for api in model.apis {
            for resource in model.resources[api.id] ?? [] {
                for method in resource.sortedMethods {
                    let place = "\(api.name): \(method.httpMethod) \(resource.path)"
                    if method.methodIntegration?.connectionType != .vpcLink && method.methodIntegration?.type != .mock {
                        r1.append(place + " does not integrate through a VPC link")
                    }
                    if !method.apiKeyRequired { r4.append(place + " does not require an API key") }
                }
            }
            for stage in model.stages[api.id] ?? [] {
                let place = "\(api.name) stage \(stage.stageName)"
                if !stage.cacheClusterEnabled {
                    r2.append(place + ": cache is off")
                } else if let all = stage.methodSettings[MethodSetting.allMethodsKey], !all.cachingEnabled {
                    r2.append(place + ": caching is off for GET methods (*/*)")
                }
                let rate = stage.methodSettings[MethodSetting.allMethodsKey]?.throttlingRateLimit
                if rate == nil {
                    r3.append(place + ": no stage throttling (account default 10,000 rps)")
                } else if let rate, rate > thresholds.maximumRate {
                    r3.append(place + ": throttles at \(Int(rate)) rps, above \(Int(thresholds.maximumRate))")
                }
            }
        }
        for plan in model.plans {
            if let rate = plan.throttle?.rateLimit, rate > thresholds.maximumRate {
                r3.append("usage plan \(plan.name): \(Int(rate)) rps, above \(Int(thresholds.maximumRate))")
            }
        }
        return [
            RuleCheck(
                id: "R1", title: "APIs are not exposed directly (every method goes through a VPC link)", broken: r1),
            RuleCheck(id: "R2", title: "Content that changes rarely is served from the cache", broken: r2),
            RuleCheck(
                id: "R3", title: "No client above \(Int(thresholds.maximumRate)) requests per second", broken: r3),
            RuleCheck(id: "R4", title: "Every call needs an API key", broken: r4),
        ]
    }
}
