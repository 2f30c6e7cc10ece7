/// A whole API as one value: what an import produces, what an export reads and what a deployment freezes.
public struct ApiDefinition: Codable, Sendable, Equatable {
    public var api: RestApi
    public var resources: [Resource]
    public var models: [Model]
    public var requestValidators: [RequestValidator]
    public var gatewayResponses: [GatewayResponse]
    public var authorizers: [Authorizer]
    public var documentationParts: [DocumentationPart]

    public init(
        api: RestApi, resources: [Resource], models: [Model] = [], requestValidators: [RequestValidator] = [],
        gatewayResponses: [GatewayResponse] = [], authorizers: [Authorizer] = [],
        documentationParts: [DocumentationPart] = []
    ) {
        self.api = api
        self.resources = resources
        self.models = models
        self.requestValidators = requestValidators
        self.gatewayResponses = gatewayResponses
        self.authorizers = authorizers
        self.documentationParts = documentationParts
    }

    enum CodingKeys: String, CodingKey {
        case api, resources, models, requestValidators, gatewayResponses, authorizers, documentationParts
    }

    /// Reads definitions saved before authorizers and documentation parts were kept (deployments of older states).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        api = try container.decode(RestApi.self, forKey: .api)
        resources = try container.decode([Resource].self, forKey: .resources)
        models = try container.decode([Model].self, forKey: .models)
        requestValidators = try container.decode([RequestValidator].self, forKey: .requestValidators)
        gatewayResponses = try container.decode([GatewayResponse].self, forKey: .gatewayResponses)
        authorizers = try container.decodeIfPresent([Authorizer].self, forKey: .authorizers) ?? []
        documentationParts =
            try container.decodeIfPresent([DocumentationPart].self, forKey: .documentationParts) ?? []
    }

    /// The resources sorted by path.
    public var sortedResources: [Resource] { resources.sorted { $0.path < $1.path } }

    /// The number of methods over all resources.
    public var methodCount: Int { resources.reduce(0) { $0 + $1.resourceMethods.count } }

    /// The resource at `path`, if any.
    public func resource(atPath path: String) -> Resource? { resources.first { $0.path == path } }
}
