import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// API Gateway's limit of API keys per account and region.
    public static let maximumApiKeys = 10_000
    /// API Gateway's limit of usage plans per account and region.
    public static let maximumUsagePlans = 300

    // MARK: API keys

    /// API Gateway's longest API key description, in characters.
    public static let maximumApiKeyDescription = 125_000

    /// Creates an API key with a generated value (also for an empty `value`, as AWS does), or with `value` (20–128
    /// letters and digits, unique). Errors are in AWS's words.
    public func createApiKey(
        name: String, value: String? = nil, description: String? = nil, enabled: Bool, customerId: String? = nil,
        tags: [String: String] = [:]
    ) throws -> ApiKey {
        try GatewayControl.checkApiKey(name: name, description: description)
        let value = value.flatMap { $0.isEmpty ? nil : $0 }
        if let value {
            if value.count < 20 { throw GatewayError.badRequest("API Key value should be at least 20 characters") }
            if value.count > 128 {
                throw GatewayError.badRequest("API Key value exceeds maximum size of 128 characters")
            }
            guard Identifiers.isValidApiKeyValue(value) else {
                throw GatewayError.badRequest("API Key value must contain only letters and digits")
            }
        }
        let key = ApiKey(
            id: Identifiers.apiKey(), value: value ?? Identifiers.apiKeyValue(), name: name, description: description,
            customerId: customerId, enabled: enabled, tags: tags)
        try write { access in
            if try access.apiKey(withValue: key.value) != nil { throw GatewayError.conflict("API Key already exists") }
            if try access.all(ApiKey.self, in: .apiKey).count >= GatewayControl.maximumApiKeys {
                throw GatewayError(.limitExceeded, "Limit of \(GatewayControl.maximumApiKeys) API keys reached")
            }
            try access.save(apiKey: key)
        }
        emit(.apiKey, .created, id: key.id)
        return key
    }

    /// One key of an import: its fields and the usage plans to put it in.
    public struct ApiKeyImport: Sendable {
        public var name: String
        public var value: String
        public var description: String?
        public var enabled: Bool
        public var planIds: [String]

        public init(name: String, value: String, description: String?, enabled: Bool, planIds: [String]) {
            self.name = name
            self.value = value
            self.description = description
            self.enabled = enabled
            self.planIds = planIds
        }
    }

    /// Creates several keys and their plan memberships in one transaction (ImportApiKeys): any problem (with the
    /// 1-based row it is on) and none is made.
    public func importApiKeys(_ rows: [ApiKeyImport]) throws -> [ApiKey] {
        let keys = try write { access -> [ApiKey] in
            var made: [ApiKey] = []
            let existing = try access.all(ApiKey.self, in: .apiKey).count
            if existing + rows.count > GatewayControl.maximumApiKeys {
                throw GatewayError(.limitExceeded, "Limit of \(GatewayControl.maximumApiKeys) API keys reached")
            }
            for (index, row) in rows.enumerated() {
                func problem(_ message: String) -> GatewayError { .badRequest("Row \(index + 1): \(message)") }
                if row.name.count > 1024 { throw problem("API Key name must be at most 1024 characters") }
                guard (20...128).contains(row.value.count), Identifiers.isValidApiKeyValue(row.value) else {
                    throw problem("API Key value must be 20 to 128 letters and digits")
                }
                if try access.apiKey(withValue: row.value) != nil { throw problem("API Key already exists") }
                let key = ApiKey(
                    id: Identifiers.apiKey(), value: row.value, name: row.name, description: row.description,
                    enabled: row.enabled)
                try access.save(apiKey: key)
                for planId in row.planIds {
                    let plan = try requirePlan(planId, access)
                    try checkOnePlanPerStage(key: key.id, plan: plan, access)
                    try access.addKey(key.id, toPlan: planId)
                }
                made.append(key)
            }
            return made
        }
        for key in keys { emit(.apiKey, .created, id: key.id) }
        return keys
    }

    /// Every API key, by name.
    public nonisolated func apiKeys() throws -> [ApiKey] {
        try read { try $0.all(ApiKey.self, in: .apiKey) }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// One API key.
    public nonisolated func apiKey(_ id: String) throws -> ApiKey {
        try read { try requireKey(id, $0) }
    }

    nonisolated func requireKey(_ id: String, _ access: StoreAccess) throws -> ApiKey {
        guard let key = try access.one(ApiKey.self, in: .apiKey, id: id) else {
            throw GatewayError.notFound("Invalid API Key identifier specified")
        }
        return key
    }

    /// A name or description longer than API Gateway takes is AWS's 400, in its words.
    static func checkApiKey(name: String, description: String?) throws {
        if name.count > 1024 { throw GatewayError.badRequest("Invalid API Key name, can be at most 1024 characters.") }
        if let description, description.count > maximumApiKeyDescription {
            throw GatewayError.badRequest("Invalid API Key description specified.")
        }
    }

    /// Changes a key's name, description, customer or enabled flag; its value never changes.
    public func updateApiKey(_ id: String, _ change: @Sendable (inout ApiKey) throws -> Void) throws -> ApiKey {
        let key = try write { access in
            var key = try requireKey(id, access)
            let original = key
            try change(&key)
            try GatewayControl.checkApiKey(name: key.name, description: key.description)
            key.id = original.id
            key.value = original.value
            key.createdDate = original.createdDate
            key.lastUpdatedDate = Date()
            try access.save(apiKey: key)
            return key
        }
        emit(.apiKey, .updated, id: id)
        return key
    }

    /// Deletes a key; it leaves every usage plan.
    public func deleteApiKey(_ id: String) throws {
        try write { access in
            guard try access.delete(from: .apiKey, id: id) else {
                throw GatewayError.notFound("Invalid API Key identifier specified")
            }
        }
        emit(.apiKey, .deleted, id: id)
    }

    // MARK: Usage plans

    /// Creates a usage plan; its API stages must exist.
    public func createUsagePlan(
        name: String, description: String? = nil, apiStages: [ApiStage] = [], throttle: ThrottleSettings? = nil,
        quota: QuotaSettings? = nil, tags: [String: String] = [:]
    ) throws -> UsagePlan {
        let plan = UsagePlan(
            id: Identifiers.usagePlan(), name: name, description: description, apiStages: apiStages, throttle: throttle,
            quota: quota, tags: tags)
        try write { access in
            if try access.all(UsagePlan.self, in: .usagePlan).count >= GatewayControl.maximumUsagePlans {
                throw GatewayError(.limitExceeded, "Limit of \(GatewayControl.maximumUsagePlans) usage plans reached")
            }
            try validate(plan, access)
            try access.save(plan, in: .usagePlan, id: plan.id)
        }
        emit(.usagePlan, .created, id: plan.id)
        return plan
    }

    /// Every usage plan, by name.
    public nonisolated func usagePlans() throws -> [UsagePlan] {
        try read { try $0.all(UsagePlan.self, in: .usagePlan) }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// One usage plan.
    public nonisolated func usagePlan(_ id: String) throws -> UsagePlan {
        try read { try requirePlan(id, $0) }
    }

    nonisolated func requirePlan(_ id: String, _ access: StoreAccess) throws -> UsagePlan {
        guard let plan = try access.one(UsagePlan.self, in: .usagePlan, id: id) else {
            throw GatewayError.notFound("Invalid Usage Plan ID specified")
        }
        return plan
    }

    /// Changes a usage plan: name, stages, throttle, quota.
    public func updateUsagePlan(_ id: String, _ change: @Sendable (inout UsagePlan) throws -> Void) throws -> UsagePlan
    {
        let plan = try write { access in
            var plan = try requirePlan(id, access)
            try change(&plan)
            plan.id = id
            try validate(plan, access)
            for keyId in try access.keyIds(inPlan: id) { try checkOnePlanPerStage(key: keyId, plan: plan, access) }
            try access.save(plan, in: .usagePlan, id: id)
            return plan
        }
        emit(.usagePlan, .updated, id: id)
        return plan
    }

    /// Deletes a usage plan.
    public func deleteUsagePlan(_ id: String) throws {
        try write { access in
            guard try access.delete(from: .usagePlan, id: id) else {
                throw GatewayError.notFound("Invalid Usage Plan ID specified")
            }
        }
        emit(.usagePlan, .deleted, id: id)
    }

    nonisolated func validate(_ plan: UsagePlan, _ access: StoreAccess) throws {
        guard !plan.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GatewayError.badRequest("Usage plan name must not be empty")
        }
        if let throttle = plan.throttle, throttle.rateLimit < 0 || throttle.burstLimit < 0 {
            throw GatewayError.badRequest("Throttle rate and burst must not be negative")
        }
        if let quota = plan.quota {
            guard quota.limit > 0 else { throw GatewayError.badRequest("Quota limit must be greater than 0") }
            guard quota.offset >= 0, quota.offset < quota.limit else {
                throw GatewayError.badRequest("Quota offset must be at least 0 and less than the limit")
            }
        }
        var seen: Set<ApiStage> = []
        for apiStage in plan.apiStages {
            guard seen.insert(apiStage).inserted else {
                throw GatewayError.conflict("The usage plan already covers stage \(apiStage.apiId):\(apiStage.stage)")
            }
            try requireStage(apiStage, plan: plan.id, access)
            if apiStage.throttle.count > 20 {
                throw GatewayError.badRequest("A usage plan can have at most 20 method throttles per stage")
            }
            for (key, throttle) in apiStage.throttle {
                guard let slash = key.lastIndex(of: "/"), key.hasPrefix("/"),
                    HTTPVerb.isValid(String(key[key.index(after: slash)...]))
                else {
                    throw GatewayError.badRequest(
                        "Invalid method throttle '\(key)': use /resource/path/METHOD (the root is //GET)")
                }
                if throttle.rateLimit < 0 || throttle.burstLimit < 0 {
                    throw GatewayError.badRequest("Throttle rate and burst must not be negative (\(key))")
                }
            }
        }
    }

    /// A usage plan's API stage must exist: else AWS's 404 (its words, recorded in LocalStack's usage plan tests).
    nonisolated func requireStage(_ apiStage: ApiStage, plan planId: String, _ access: StoreAccess) throws {
        guard try access.one(RestApi.self, in: .restApi, id: apiStage.apiId) != nil,
            try access.one(Stage.self, in: .stage, id: apiStage.stage, api: apiStage.apiId) != nil
        else {
            throw GatewayError.notFound(
                "Invalid API Stage {api: \(apiStage.apiId), stage: \(apiStage.stage)} specified for usageplan \(planId)"
            )
        }
    }

    /// Checks that the API stage a patch removes from a plan exists, as AWS checks it.
    public nonisolated func checkPlanStage(_ apiStage: ApiStage, plan planId: String) throws {
        try read { access in
            _ = try requirePlan(planId, access)
            try requireStage(apiStage, plan: planId, access)
        }
    }

    // MARK: Usage plan keys

    /// Puts a key into a usage plan. A key may be in only one plan per API stage.
    public func createUsagePlanKey(plan planId: String, key keyId: String) throws -> UsagePlanKey {
        let planKey = try write { access in
            let key = try requireKey(keyId, access)
            let plan = try requirePlan(planId, access)
            if try access.keyIds(inPlan: planId).contains(keyId) {
                throw GatewayError.conflict("The API key \(keyId) is already in usage plan \(planId)")
            }
            if try access.planIds(ofKey: keyId).count >= 10 {
                throw GatewayError(.limitExceeded, "An API key can be in at most 10 usage plans")
            }
            try checkOnePlanPerStage(key: keyId, plan: plan, access)
            try access.addKey(keyId, toPlan: planId)
            return UsagePlanKey(id: key.id, value: key.value, name: key.name, usagePlanId: planId)
        }
        emit(.usagePlanKey, .created, id: keyId)
        return planKey
    }

    nonisolated func checkOnePlanPerStage(key keyId: String, plan: UsagePlan, _ access: StoreAccess) throws {
        for otherId in try access.planIds(ofKey: keyId) where otherId != plan.id {
            guard let other = try access.one(UsagePlan.self, in: .usagePlan, id: otherId) else { continue }
            if let shared = other.apiStages.first(where: { plan.apiStages.contains($0) }) {
                throw GatewayError.conflict(
                    "API key \(keyId) is already in usage plan \(otherId), which covers stage \(shared.apiId):\(shared.stage); a key may be in only one usage plan per API stage"
                )
            }
        }
    }

    /// The keys in a usage plan, by name (as API keys are listed).
    public nonisolated func usagePlanKeys(plan planId: String) throws -> [UsagePlanKey] {
        try read { access in
            _ = try requirePlan(planId, access)
            return try access.keyIds(inPlan: planId).compactMap { id in
                try access.one(ApiKey.self, in: .apiKey, id: id).map {
                    UsagePlanKey(id: $0.id, value: $0.value, name: $0.name, usagePlanId: planId)
                }
            }
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// Takes a key out of a usage plan.
    public func deleteUsagePlanKey(plan planId: String, key keyId: String) throws {
        try write { access in
            _ = try requirePlan(planId, access)
            guard try access.removeKey(keyId, fromPlan: planId) else {
                throw GatewayError.notFound("Invalid API Key identifier specified")
            }
        }
        emit(.usagePlanKey, .deleted, id: keyId)
    }
}
