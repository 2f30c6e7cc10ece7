/// A whole API as one value: what an import produces, what an export reads and what a deployment freezes.
public struct ApiDefinition: Codable, Sendable, Equatable {
    public var api: RestApi
    public var resources: [Resource]
    public var models: [Model]
    public var requestValidators: [RequestValidator]
    public var gatewayResponses: [GatewayResponse]

    public init(
        api: RestApi, resources: [Resource], models: [Model] = [], requestValidators: [RequestValidator] = [],
        gatewayResponses: [GatewayResponse] = []
    ) {
        self.api = api
        self.resources = resources
        self.models = models
        self.requestValidators = requestValidators
        self.gatewayResponses = gatewayResponses
    }

    /// The resources sorted by path.
    public var sortedResources: [Resource] { resources.sorted { $0.path < $1.path } }

    /// The number of methods over all resources.
    public var methodCount: Int { resources.reduce(0) { $0 + $1.resourceMethods.count } }

    /// The resource at `path`, if any.
    public func resource(atPath path: String) -> Resource? { resources.first { $0.path == path } }
}
