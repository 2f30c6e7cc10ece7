import GatewayEngine
import GatewayModel

/// How an API's working copy differs from what a stage serves, method by method.
enum WorkingCopy {
    struct Difference: Equatable {
        enum Kind: Equatable {
            case added, removed
            /// The working copy requires a key (true) or no longer does (false).
            case keyRequired(Bool)
            case integration
            case authorization
            /// Any other setting of the method (parameters, responses, validator…).
            case other
        }

        var httpMethod: String
        var path: String
        var kind: Kind

        /// How the difference reads after "in the working copy" is said: `GET /all requires a key`.
        var text: String {
            let place = "\(httpMethod) \(path)"
            switch kind {
            case .added: return "\(place) is new"
            case .removed: return "\(place) is deleted"
            case .keyRequired(let required): return "\(place) \(required ? "requires" : "does not require") a key"
            case .integration: return "\(place) has another integration"
            case .authorization: return "\(place) has another authorization"
            case .other: return "\(place) has other settings"
            }
        }
    }

    static func differences(working: [Resource], served: [Resource]) -> [Difference] {
        func methods(_ resources: [Resource]) -> [String: (String, Method)] {
            var all: [String: (String, Method)] = [:]
            for resource in resources {
                for method in resource.resourceMethods.values {
                    all["\(resource.path) \(method.httpMethod)"] = (resource.path, method)
                }
            }
            return all
        }
        let now = methods(working)
        let then = methods(served)
        var found: [Difference] = []
        for key in Set(now.keys).union(then.keys).sorted() {
            switch (now[key], then[key]) {
            case (let (path, method)?, nil):
                found.append(.init(httpMethod: method.httpMethod, path: path, kind: .added))
            case (nil, let (path, method)?):
                found.append(.init(httpMethod: method.httpMethod, path: path, kind: .removed))
            case (let (path, current)?, let (_, deployed)?):
                guard current != deployed else { continue }
                let kind: Difference.Kind
                if current.apiKeyRequired != deployed.apiKeyRequired {
                    kind = .keyRequired(current.apiKeyRequired)
                } else if current.methodIntegration != deployed.methodIntegration {
                    kind = .integration
                } else if current.authorizationType != deployed.authorizationType
                    || current.authorizerId != deployed.authorizerId
                {
                    kind = .authorization
                } else {
                    kind = .other
                }
                found.append(.init(httpMethod: current.httpMethod, path: path, kind: kind))
            case (nil, nil): continue
            }
        }
        return found
    }
}

/// The walkthrough's rules R1–R4, judged on what each stage serves (its deployment, its settings, the usage plans
/// bound to it), each with the places that break it and notes on what the working copy would change.
struct RuleCheck: Equatable {
    enum Verdict: Equatable { case holds, broken, nothingDeployed }

    var id: String
    var title: String
    var broken: [String]
    /// Not a break, but what a user should know: undeployed changes, keys that every call of is refused.
    var notes: [String] = []
    var verdict: Verdict

    /// Thresholds the user can change.
    struct Thresholds {
        /// The highest rate (requests per second) one client may reach (R3).
        var maximumRate: Double = 100_000
    }

    /// The highest rate one client can reach on a served method, and the limit that sets it.
    struct Reach: Equatable {
        var rate: Double
        var limit: String
    }

    /// The lowest of the limits that apply to one client calling `method` on `stage`: the account's, the stage's
    /// (or the method's own setting), and for a method that needs a key the usage plan's per-key throttle (its
    /// per-method throttle first). A client holds one key; with several plans on the stage, the most generous
    /// plan is what a client can reach.
    static func reach(
        method: Method, path: String, stage: Stage, plans: [UsagePlan], account: ThrottleSettings
    ) -> Reach {
        var best = Reach(rate: account.rateLimit, limit: "account limit")
        let own = stage.methodSettings[MethodSetting.key(resourcePath: path, httpMethod: method.httpMethod)]
        if let setting = own ?? stage.methodSettings[MethodSetting.allMethodsKey],
            setting.throttlingRateLimit < best.rate
        {
            best = Reach(rate: setting.throttlingRateLimit, limit: own == nil ? "stage limit" : "method limit")
        }
        if method.apiKeyRequired {
            let covering = plans.compactMap { plan -> Reach? in
                guard
                    let apiStage = plan.apiStages.first(where: {
                        $0.apiId == stage.restApiId && $0.stage == stage.stageName
                    })
                else { return nil }
                if let perMethod = apiStage.throttle["\(path)/\(method.httpMethod)"] {
                    return Reach(rate: perMethod.rateLimit, limit: "plan \(plan.name) per method")
                }
                return plan.throttle.map { Reach(rate: $0.rateLimit, limit: "plan \(plan.name) per key") }
                    ?? Reach(rate: .infinity, limit: "plan \(plan.name) (no throttle)")
            }
            if let widest = covering.max(by: { $0.rate < $1.rate }), widest.rate < best.rate { best = widest }
        }
        return best
    }

    static func check(_ model: ConsoleModel, thresholds: Thresholds) -> [RuleCheck] {
        var r1: [String] = []
        var r2: [String] = []
        var r3: [String] = []
        var r4: [String] = []
        var notes1: [String] = []
        var notes4: [String] = []
        var deployedAnything = false
        let maximum = Self.rate(thresholds.maximumRate)
        for api in model.apis {
            let working = model.resources[api.id] ?? []
            for stage in model.stages[api.id] ?? [] {
                guard let served = model.servedDefinition(api: api.id, stage: stage.stageName) else { continue }
                deployedAnything = true
                let at = "\(api.name)/\(stage.stageName)"
                var keyed = false
                for resource in served.sortedResources {
                    for method in resource.sortedMethods {
                        let place = "\(at): \(method.httpMethod) \(resource.path)"
                        let integration = method.methodIntegration
                        // A mock answers itself and a Lambda function is reached through its API, never a public
                        // address: neither exposes a backend.
                        if integration?.connectionType != .vpcLink && integration?.type != .mock
                            && integration?.lambdaFunction == nil
                        {
                            r1.append(place + " does not integrate through a VPC link")
                        }
                        if method.httpMethod == "GET", stage.cacheClusterEnabled, !cached(method, resource, stage) {
                            r2.append(place + " is not cached")
                        }
                        let reach = reach(
                            method: method, path: resource.path, stage: stage, plans: model.plans,
                            account: model.accountThrottle)
                        if reach.rate > thresholds.maximumRate {
                            r3.append(
                                place
                                    + ": a client can reach \(Self.rate(reach.rate)) rps (\(reach.limit)), above \(maximum)"
                            )
                        }
                        if method.apiKeyRequired {
                            keyed = true
                        } else {
                            r4.append(place + " does not require an API key")
                        }
                    }
                }
                if !stage.cacheClusterEnabled { r2.append("\(at): the stage cache is off") }
                for difference in WorkingCopy.differences(working: working, served: served.resources) {
                    let note = "\(difference.text) in the working copy — not deployed to \(stage.stageName)"
                    switch difference.kind {
                    case .keyRequired: notes4.append("\(api.name): " + note)
                    case .integration, .added: notes1.append("\(api.name): " + note)
                    default: break
                    }
                }
                guard keyed else { continue }
                let covering = model.plans.filter { plan in
                    plan.apiStages.contains { $0.apiId == api.id && $0.stage == stage.stageName }
                }
                if covering.isEmpty {
                    notes4.append("\(at): no usage plan covers the stage, so every key is refused (403)")
                } else {
                    let inPlan = Set(covering.flatMap { model.planKeys[$0.id] ?? [] })
                    for key in model.keys where key.enabled && !inPlan.contains(key.id) {
                        notes4.append("\(at): key \(key.name) is in no usage plan for the stage; its calls get 403")
                    }
                }
            }
        }
        func rule(_ id: String, _ title: String, _ broken: [String], _ notes: [String] = []) -> RuleCheck {
            RuleCheck(
                id: id, title: title, broken: broken, notes: notes,
                verdict: !deployedAnything ? .nothingDeployed : broken.isEmpty ? .holds : .broken)
        }
        return [
            rule("R1", "APIs are not exposed directly (every method goes through a VPC link)", r1, notes1),
            rule("R2", "Content that changes rarely is served from the cache", r2),
            rule("R3", "No client above \(maximum) requests per second", r3),
            rule("R4", "Every call needs an API key", r4, notes4),
        ]
    }

    /// Whether the engine caches a method's answers on a stage (its own rule, `CachePolicy`).
    static func cached(_ method: Method, _ resource: Resource, _ stage: Stage) -> Bool {
        CachePolicy.ttl(
            cacheEnabled: stage.cacheClusterEnabled,
            own: stage.methodSettings[MethodSetting.key(resourcePath: resource.path, httpMethod: method.httpMethod)],
            all: stage.methodSettings[MethodSetting.allMethodsKey], httpMethod: method.httpMethod) != nil
    }

    /// A rate as the Rules pane writes it: `100,000`, `0.5`.
    static func rate(_ value: Double) -> String {
        if value == .infinity { return "unlimited" }
        if value == value.rounded(), value < 1e15 {
            let digits = String(Int(value))
            var grouped = ""
            for (index, character) in digits.reversed().enumerated() {
                if index > 0, index % 3 == 0 { grouped.append(",") }
                grouped.append(character)
            }
            return String(grouped.reversed())
        }
        return String(value)
    }
}
