import Foundation

/// An API key: a value callers send in `x-api-key`.
public struct ApiKey: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var value: String
    public var name: String
    public var description: String?
    public var customerId: String?
    public var enabled: Bool
    public var createdDate: Date
    public var lastUpdatedDate: Date
    public var stageKeys: [String]
    public var tags: [String: String]

    public init(
        id: String, value: String, name: String, description: String? = nil, customerId: String? = nil,
        enabled: Bool, createdDate: Date = Date(), stageKeys: [String] = [], tags: [String: String] = [:]
    ) {
        self.id = id
        self.value = value
        self.name = name
        self.description = description
        self.customerId = customerId
        self.enabled = enabled
        self.createdDate = createdDate
        self.lastUpdatedDate = createdDate
        self.stageKeys = stageKeys
        self.tags = tags
    }

    /// The value masked to its last six characters, as API Gateway's logs show it: `****F0yrv6`.
    public var maskedValue: String { ApiKey.mask(value) }

    /// A key value masked to its last six characters.
    public static func mask(_ value: String) -> String { "****" + String(value.suffix(6)) }
}
