import Foundation
import GatewayControl
import GatewayModel

extension ControlAPI {
    /// Tags by ARN, the account, and the reset hook for test suites.
    static var accountRoutes: [Route] {
        [
            Route("GET", "tags/{arn}") { api, call in
                .json(200, ["tags": try await api.tags(call[parameter: "arn"])])
            },
            Route("PUT", "tags/{arn}") { api, call in
                let tags = try call.json().stringMap("tags") ?? [:]
                try await api.changeTags(call[parameter: "arn"]) { $0.merge(tags) { _, new in new } }
                return .empty(204)
            },
            Route("DELETE", "tags/{arn}") { api, call in
                let keys = call.queryValues("tagKeys")
                try await api.changeTags(call[parameter: "arn"]) { tags in for key in keys { tags[key] = nil } }
                return .empty(204)
            },
            Route("GET", "account") { api, _ in .json(200, await api.accountShape()) },
            Route("PATCH", "account") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateAccountInput")
                try api.account.withLockedValue { account in
                    var changed = account
                    for operation in operations {
                        switch (operation.op, operation.path) {
                        case (.replace, "/cloudwatchRoleArn"): changed.roleArn = operation.value
                        case (.add, "/features"):
                            let feature = try operation.string()
                            if !changed.features.contains(feature) { changed.features.append(feature) }
                        case (.remove, "/features"):
                            let feature = try operation.string()
                            if feature == "UsagePlans" {
                                throw ControlError.badRequest("Usage Plans cannot be disabled once enabled")
                            }
                            changed.features.removeAll { $0 == feature }
                        default: throw operation.unsupported(["/cloudwatchRoleArn", "/features"])
                        }
                    }
                    account = changed
                }
                return .json(200, await api.accountShape())
            },
            Route("POST", "moto-api/reset", signed: false) { api, _ in
                guard api.options.allowReset else {
                    throw ControlError(
                        status: 403, type: "ForbiddenException",
                        message: "Resetting the state needs gatehouse serve --allow-reset")
                }
                try await api.resetState()
                return .json(200, ["status": "ok"])
            },
            Route("POST", "moto-api/reset-auth", signed: false) { _, _ in .json(200, ["status": "ok"]) },
        ]
    }

    /// GetAccount's answer: the account throttle, the CloudWatch role and the features.
    func accountShape() async -> [String: Any] {
        let throttle = await control.accountThrottle
        let (roleArn, features) = account.withLockedValue { ($0.roleArn, $0.features) }
        var object: [String: Any] = [
            "throttleSettings": ["burstLimit": throttle.burstLimit, "rateLimit": throttle.rateLimit],
            "features": features, "apiKeyVersion": "4",
        ]
        if let roleArn { object["cloudwatchRoleArn"] = roleArn }
        return object
    }

    /// Deletes everything: domain names, usage plans, keys, APIs, VPC links, load balancers.
    func resetState() async throws {
        account.withLockedValue { $0 = AccountSettings() }
        for domain in try control.domainNames() { try await control.deleteDomainName(domain.domainName) }
        for plan in try control.usagePlans() { try await control.deleteUsagePlan(plan.id) }
        for key in try control.apiKeys() { try await control.deleteApiKey(key.id) }
        for api in try control.restApis() { try await control.deleteRestApi(api.id) }
        for link in try control.vpcLinks() { try await control.deleteVpcLink(link.id) }
        for balancer in try control.loadBalancers() { try await control.deleteLoadBalancer(balancer.name) }
    }

    /// What an ARN (`arn:aws:apigateway:REGION::/restapis/ID[/stages/NAME]`, `/apikeys/ID`, `/usageplans/ID`,
    /// `/vpclinks/ID`) names.
    enum Tagged {
        case restApi(String), stage(String, String), apiKey(String), usagePlan(String), vpcLink(String)

        init(arn: String) throws {
            guard arn.hasPrefix("arn:"), let slash = arn.firstIndex(of: "/") else {
                throw ControlError.badRequest("Invalid ARN specified in the request: \(arn)")
            }
            let parts = arn[slash...].split(separator: "/").map(String.init)
            switch (parts.first ?? "", parts.count) {
            case ("restapis", 2): self = .restApi(parts[1])
            case ("restapis", 4) where parts[2] == "stages": self = .stage(parts[1], parts[3])
            case ("apikeys", 2): self = .apiKey(parts[1])
            case ("usageplans", 2): self = .usagePlan(parts[1])
            case ("vpclinks", 2): self = .vpcLink(parts[1])
            default: throw ControlError.badRequest("Invalid ARN specified in the request: \(arn)")
            }
        }
    }

    func tags(_ arn: String) async throws -> [String: String] {
        switch try Tagged(arn: arn) {
        case .restApi(let id): try control.restApi(id).tags
        case .stage(let api, let name): try control.stage(api: api, name: name).tags
        case .apiKey(let id): try control.apiKey(id).tags
        case .usagePlan(let id): try control.usagePlan(id).tags
        case .vpcLink(let id): try control.vpcLink(id).tags
        }
    }

    func changeTags(_ arn: String, _ change: @escaping @Sendable (inout [String: String]) -> Void) async throws {
        switch try Tagged(arn: arn) {
        case .restApi(let id): _ = try await control.updateRestApi(id) { change(&$0.tags) }
        case .stage(let api, let name): _ = try await control.updateStage(api: api, name: name) { change(&$0.tags) }
        case .apiKey(let id): _ = try await control.updateApiKey(id) { change(&$0.tags) }
        case .usagePlan(let id): _ = try await control.updateUsagePlan(id) { change(&$0.tags) }
        case .vpcLink(let id): _ = try await control.updateVpcLink(id) { change(&$0.tags) }
        }
    }
}
