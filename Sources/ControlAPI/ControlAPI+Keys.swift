import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel

extension ControlAPI {
    static var keyRoutes: [Route] {
        [
            Route("POST", "apikeys") { api, call in
                if call.queryValue("mode") == "import" { return try await api.importApiKeys(call) }
                return try await api.createApiKey(call)
            },
            Route("GET", "apikeys") { api, call in
                var keys = try api.control.apiKeys()
                if let name = call.queryValue("name") { keys.removeAll { !$0.name.hasPrefix(name) } }
                if let customer = call.queryValue("customerId") { keys.removeAll { $0.customerId != customer } }
                let include = call.queryValue("includeValues") == "true"
                let (items, position) = try call.page(keys)
                return .json(
                    200,
                    Shapes.list(
                        items.map { Shapes.apiKey($0, includeValue: include, listed: true) }, position: position))
            },
            Route("GET", "apikeys/{id}") { api, call in
                let key = try api.control.apiKey(call[parameter: "id"])
                return .json(
                    200,
                    Shapes.apiKey(key, includeValue: call.queryValue("includeValue") == "true"))
            },
            Route("PATCH", "apikeys/{id}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateApiKeyInput")
                let key = try await api.control.updateApiKey(call[parameter: "id"]) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.apiKey(key, includeValue: false))
            },
            Route("DELETE", "apikeys/{id}") { api, call in
                try await api.control.deleteApiKey(call[parameter: "id"])
                return .empty(202)
            },
            Route("POST", "usageplans") { api, call in try await api.createUsagePlan(call) },
            Route("GET", "usageplans") { api, call in
                var plans = try api.control.usagePlans()
                if let keyId = call.queryValue("keyId") {
                    var covering: [UsagePlan] = []
                    for plan in plans
                    where try api.control.usagePlanKeys(plan: plan.id).contains(where: { $0.id == keyId }) {
                        covering.append(plan)
                    }
                    plans = covering
                }
                let (items, position) = try call.page(plans)
                return .json(
                    200, Shapes.list(items.map { Shapes.usagePlan($0, listed: true) }, position: position))
            },
            Route("GET", "usageplans/{plan}") { api, call in
                .json(200, Shapes.usagePlan(try api.control.usagePlan(call[parameter: "plan"])))
            },
            Route("PATCH", "usageplans/{plan}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateUsagePlanInput")
                // A stage taken out of a plan must exist, as AWS checks (one added is checked with the plan).
                for operation in operations where operation.op == .remove && operation.path == "/apiStages" {
                    let stage = try Patches.apiStage(operation.value ?? "", operation)
                    try api.control.checkPlanStage(stage, plan: call[parameter: "plan"])
                }
                let plan = try await api.control.updateUsagePlan(call[parameter: "plan"]) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.usagePlan(plan))
            },
            Route("DELETE", "usageplans/{plan}") { api, call in
                try await api.control.deleteUsagePlan(call[parameter: "plan"])
                return .empty(202)
            },
            Route("POST", "usageplans/{plan}/keys") { api, call in
                let body = try call.json()
                let keyType = try body.string("keyType") ?? "API_KEY"
                guard keyType == "API_KEY" else {
                    throw ControlError.badRequest("Invalid keyType '\(keyType)': the only key type is API_KEY")
                }
                let planKey = try await api.control.createUsagePlanKey(
                    plan: call[parameter: "plan"], key: try body.requiredString("keyId"))
                return .json(201, Shapes.planKey(planKey))
            },
            Route("GET", "usageplans/{plan}/keys") { api, call in
                // The keys of a plan that does not exist are none, as AWS answers (200, no items).
                var keys: [UsagePlanKey]
                do {
                    keys = try api.control.usagePlanKeys(plan: call[parameter: "plan"])
                } catch let error as GatewayError where error.kind == .notFound {
                    keys = []
                }
                if let name = call.queryValue("name") { keys.removeAll { !$0.name.hasPrefix(name) } }
                let (items, position) = try call.page(keys)
                return .json(200, Shapes.list(items.map(Shapes.planKey), position: position))
            },
            Route("GET", "usageplans/{plan}/keys/{key}") { api, call in
                let keyId = call[parameter: "key"]
                guard
                    let key = try api.control.usagePlanKeys(plan: call[parameter: "plan"]).first(where: {
                        $0.id == keyId
                    })
                else {
                    _ = try api.control.apiKey(keyId)
                    throw GatewayError.notFound("Invalid Usage Plan Key identifier specified")
                }
                return .json(200, Shapes.planKey(key))
            },
            Route("DELETE", "usageplans/{plan}/keys/{key}") { api, call in
                try await api.control.deleteUsagePlanKey(plan: call[parameter: "plan"], key: call[parameter: "key"])
                return .empty(202)
            },
            Route("GET", "usageplans/{plan}/usage") { api, call in try await api.usage(call) },
            Route("PATCH", "usageplans/{plan}/keys/{key}/usage") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateUsageInput")
                for operation in operations {
                    guard operation.op == .replace, operation.path == "/remaining" else {
                        throw operation.unsupported(["/remaining"])
                    }
                    try await api.control.setQuotaRemaining(
                        plan: call[parameter: "plan"], key: call[parameter: "key"],
                        remaining: try operation.int(0...Int(Int32.max)))
                }
                let plan = try api.control.usagePlan(call[parameter: "plan"])
                let used = try await api.control.quotaUsed(plan: plan.id, key: call[parameter: "key"])
                let limit = plan.quota?.limit ?? 0
                return .json(
                    200,
                    ["usagePlanId": plan.id, "values": [call[parameter: "key"]: [[used, max(0, limit - used)]]]])
            },
        ]
    }

    func createApiKey(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        let stageKeys = try (body.objects("stageKeys") ?? []).map {
            "\(try $0.requiredString("restApiId"))/\(try $0.requiredString("stageName"))"
        }
        var key = try await control.createApiKey(
            name: try body.string("name") ?? "", value: try body.string("value"),
            description: try body.string("description"), enabled: try body.bool("enabled") ?? false,
            customerId: try body.string("customerId"), tags: try body.stringMap("tags") ?? [:])
        if !stageKeys.isEmpty { key = try await control.updateApiKey(key.id) { $0.stageKeys = stageKeys } }
        return .json(201, Shapes.apiKey(key, includeValue: true, created: true))
    }

    func createUsagePlan(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        let stages = try (body.objects("apiStages") ?? []).map { stage in
            var throttle: [String: ThrottleSettings] = [:]
            if let map = try stage.object("throttle") {
                for (path, _) in map.values {
                    guard let settings = try map.object(path) else { continue }
                    throttle[path] = try Shapes.throttle(settings)
                }
            }
            return ApiStage(
                apiId: try stage.requiredString("apiId"), stage: try stage.requiredString("stage"), throttle: throttle)
        }
        let quota = try body.object("quota").map { quota in
            QuotaSettings(
                limit: try quota.int("limit") ?? 0, offset: try quota.int("offset") ?? 0,
                period: try quota.enumValue("period", QuotaPeriod.self) ?? .day)
        }
        let productCode = try body.string("productCode")
        var plan = try await control.createUsagePlan(
            name: try body.string("name") ?? "", description: try body.string("description"), apiStages: stages,
            throttle: try body.object("throttle").map(Shapes.throttle), quota: quota,
            tags: try body.stringMap("tags") ?? [:])
        if let code = productCode {
            plan = try await control.updateUsagePlan(plan.id) { $0.productCode = code }
        }
        return .json(201, Shapes.usagePlan(plan, created: true))
    }

    /// `GET /usageplans/{id}/usage`: each key's `[used, remaining]` per UTC day from `startDate` to `endDate`, under
    /// `values` (the wire name of the Usage shape's `items`); remaining is what the quota period had left at the end
    /// of that day (today: what it has left now, UpdateUsage included).
    func usage(_ call: ControlCall) async throws -> Reply {
        let plan = try control.usagePlan(call[parameter: "plan"])
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        guard let startText = call.queryValue("startDate"), let start = formatter.date(from: startText),
            let endText = call.queryValue("endDate"), let end = formatter.date(from: endText), start <= end
        else {
            throw ControlError.badRequest("startDate and endDate are required, as yyyy-MM-dd, start not after end")
        }
        var keys = try control.usagePlanKeys(plan: plan.id).map(\.id)
        if let keyId = call.queryValue("keyId") { keys = keys.filter { $0 == keyId } }
        let today = formatter.string(from: Date())
        let days = (0..<min(Int(end.timeIntervalSince(start) / 86_400) + 1, 366)).map {
            start.addingTimeInterval(Double($0) * 86_400)
        }
        let period = plan.quota?.period ?? .day
        let limit = plan.quota?.limit ?? 0
        // Counts from the start of the quota period of the first day, so each day's remaining can be summed up.
        let from = QuotaLedger.periodStart(period, now: start)
        var items: [String: Any] = [:]
        let usage = try await control.dailyUsage(plan: plan.id, keys: keys, from: from, to: endText)
        for key in keys {
            let daily = usage[key] ?? [:]
            let periodUsed = try await control.quotaUsed(plan: plan.id, key: key)
            items[key] = days.map { date -> [Int] in
                let day = formatter.string(from: date)
                let used = daily[day] ?? 0
                guard plan.quota != nil else { return [used, 0] }
                if day == today { return [used, max(0, limit - periodUsed)] }
                let periodStart = QuotaLedger.periodStart(period, now: date)
                let spent = daily.filter { $0.key >= periodStart && $0.key <= day }.values.reduce(0, +)
                return [used, max(0, limit - spent)]
            }
        }
        return .json(200, ["usagePlanId": plan.id, "startDate": startText, "endDate": endText, "values": items])
    }
}

extension Shapes {
    static func planKey(_ key: UsagePlanKey) -> [String: Any] {
        ["id": key.id, "type": key.type, "value": key.value, "name": key.name]
    }

    static func throttle(_ object: JSONObject) throws -> ThrottleSettings {
        ThrottleSettings(burstLimit: try object.int("burstLimit") ?? 0, rateLimit: try object.double("rateLimit") ?? 0)
    }
}
