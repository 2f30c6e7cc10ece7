/// A throttle: steady rate in requests per second and bucket size.
public struct ThrottleSettings: Codable, Sendable, Equatable {
    public var burstLimit: Int
    public var rateLimit: Double

    public init(burstLimit: Int, rateLimit: Double) {
        self.burstLimit = burstLimit
        self.rateLimit = rateLimit
    }
}

/// The period a quota counts over.
public enum QuotaPeriod: String, Codable, Sendable, CaseIterable {
    case day = "DAY"
    case week = "WEEK"
    case month = "MONTH"
}

/// A quota: how many requests a key may make in a period.
public struct QuotaSettings: Codable, Sendable, Equatable {
    public var limit: Int
    /// Requests subtracted from the limit in the first period.
    public var offset: Int
    public var period: QuotaPeriod

    public init(limit: Int, offset: Int = 0, period: QuotaPeriod) {
        self.limit = limit
        self.offset = offset
        self.period = period
    }
}

/// An API stage a usage plan covers, with per-method throttles keyed `/pets/GET` (root: `//GET`).
public struct ApiStage: Codable, Sendable, Equatable, Hashable {
    public var apiId: String
    public var stage: String
    public var throttle: [String: ThrottleSettings]

    public init(apiId: String, stage: String, throttle: [String: ThrottleSettings] = [:]) {
        self.apiId = apiId
        self.stage = stage
        self.throttle = throttle
    }

    public static func == (lhs: ApiStage, rhs: ApiStage) -> Bool { lhs.apiId == rhs.apiId && lhs.stage == rhs.stage }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(apiId)
        hasher.combine(stage)
    }
}

/// A usage plan: throttle and quota for the keys in it, on the API stages it covers.
public struct UsagePlan: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var description: String?
    public var apiStages: [ApiStage]
    public var throttle: ThrottleSettings?
    public var quota: QuotaSettings?
    public var productCode: String?
    public var tags: [String: String]

    public init(
        id: String, name: String, description: String? = nil, apiStages: [ApiStage] = [],
        throttle: ThrottleSettings? = nil, quota: QuotaSettings? = nil, productCode: String? = nil,
        tags: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.apiStages = apiStages
        self.throttle = throttle
        self.quota = quota
        self.productCode = productCode
        self.tags = tags
    }
}

/// A key in a usage plan.
public struct UsagePlanKey: Codable, Sendable, Equatable, Identifiable {
    /// The API key's id.
    public var id: String
    public var type: String
    public var value: String
    public var name: String
    public var usagePlanId: String

    public init(id: String, value: String, name: String, usagePlanId: String) {
        self.id = id
        self.type = "API_KEY"
        self.value = value
        self.name = name
        self.usagePlanId = usagePlanId
    }
}
