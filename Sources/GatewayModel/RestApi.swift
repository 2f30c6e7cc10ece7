import Foundation

/// Where an API's endpoint lives.
public enum EndpointType: String, Codable, Sendable, CaseIterable {
    case edge = "EDGE"
    case regional = "REGIONAL"
    case `private` = "PRIVATE"

    /// The label the console gives the type.
    public var label: String {
        switch self {
        case .edge: "Edge optimized"
        case .regional: "Regional"
        case .private: "Private"
        }
    }
}

/// `RestApi.endpointConfiguration`.
public struct EndpointConfiguration: Codable, Sendable, Equatable {
    public var types: [EndpointType]
    public var vpcEndpointIds: [String]?
    /// The addresses the endpoint answers on; API Gateway reports `ipv4` when none was chosen.
    public var ipAddressType: IpAddressType?

    public init(types: [EndpointType], vpcEndpointIds: [String]? = nil, ipAddressType: IpAddressType? = nil) {
        self.types = types
        self.vpcEndpointIds = vpcEndpointIds
        self.ipAddressType = ipAddressType
    }
}

/// `EndpointConfiguration.ipAddressType`.
public enum IpAddressType: String, Codable, Sendable, CaseIterable {
    case ipv4
    case dualstack
}

/// Where the API key of a request is read from.
public enum ApiKeySource: String, Codable, Sendable, CaseIterable {
    case header = "HEADER"
    case authorizer = "AUTHORIZER"
}

/// A REST API: the container of resources, methods and models.
public struct RestApi: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var description: String?
    public var version: String?
    public var createdDate: Date
    public var endpointConfiguration: EndpointConfiguration
    public var apiKeySource: ApiKeySource
    public var binaryMediaTypes: [String]
    public var minimumCompressionSize: Int?
    public var disableExecuteApiEndpoint: Bool
    public var policy: String?
    /// Warnings left by the import that created or last updated the API.
    public var warnings: [String]
    public var rootResourceId: String
    public var tags: [String: String]

    public init(
        id: String, name: String, description: String? = nil, version: String? = nil,
        createdDate: Date = Date(), endpointConfiguration: EndpointConfiguration = .init(types: [.edge]),
        apiKeySource: ApiKeySource = .header, binaryMediaTypes: [String] = [], minimumCompressionSize: Int? = nil,
        disableExecuteApiEndpoint: Bool = false, policy: String? = nil, warnings: [String] = [],
        rootResourceId: String, tags: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.createdDate = createdDate
        self.endpointConfiguration = endpointConfiguration
        self.apiKeySource = apiKeySource
        self.binaryMediaTypes = binaryMediaTypes
        self.minimumCompressionSize = minimumCompressionSize
        self.disableExecuteApiEndpoint = disableExecuteApiEndpoint
        self.policy = policy
        self.warnings = warnings
        self.rootResourceId = rootResourceId
        self.tags = tags
    }

    /// The endpoint type shown first (an API has one).
    public var endpointType: EndpointType { endpointConfiguration.types.first ?? .edge }

    /// AWS's answer to a `minimumCompressionSize` outside 0 to 10485760, or not a number.
    public static let compressionSizeMessage = "Invalid minimum compression size, must be between 0 and 10485760"
}
