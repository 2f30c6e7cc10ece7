import GatewayModel

/// How an import treats the document's base path (`basePath` in Swagger 2.0, the server URL in OpenAPI 3).
public enum BasePathMode: String, Sendable, CaseIterable {
    /// Drop the base path (the default).
    case ignore
    /// Put the whole base path before every resource.
    case prepend
    /// Drop the base path's first segment (taken to be a stage) and prepend the rest.
    case split
}

/// The options of an import, as `ImportRestApi` takes them.
public struct ImportOptions: Sendable, Equatable {
    public var basePath: BasePathMode
    /// The endpoint type of a new API; nil takes the document's `x-amazon-apigateway-endpoint-configuration`, else EDGE.
    public var endpointType: EndpointType?
    /// Refuse the whole import when there is any warning.
    public var failOnWarnings: Bool
    /// Skip `x-amazon-apigateway-documentation` without a warning.
    public var ignoreDocumentation: Bool

    public init(
        basePath: BasePathMode = .ignore, endpointType: EndpointType? = nil, failOnWarnings: Bool = false,
        ignoreDocumentation: Bool = false
    ) {
        self.basePath = basePath
        self.endpointType = endpointType
        self.failOnWarnings = failOnWarnings
        self.ignoreDocumentation = ignoreDocumentation
    }

    /// API Gateway's limit on a definition's size: 6 MB.
    public static let maximumDocumentSize = 6 * 1024 * 1024
}

/// The OpenAPI versions Gatehouse reads.
public enum SpecVersion: String, Sendable {
    case swagger2 = "Swagger 2.0"
    case openAPI30 = "OpenAPI 3.0"
    case openAPI31 = "OpenAPI 3.1"
}

/// What a document describes, before ids are given: the API's settings and its methods by path.
public struct ImportedDefinition: Sendable {
    public var version: SpecVersion
    public var title: String?
    public var description: String?
    public var apiVersion: String?
    public var apiKeySource: ApiKeySource?
    public var binaryMediaTypes: [String]
    public var minimumCompressionSize: Int?
    public var endpointConfiguration: EndpointConfiguration?
    public var disableExecuteApiEndpoint: Bool?
    public var policy: String?
    /// Every resource path the document makes (ancestors included), with its methods by HTTP method.
    public var paths: [String: [String: ImportedMethod]]
    /// Models by name; schemas name other models by `Model.referenceURL`.
    public var models: [Model]
    public var requestValidators: [String: (body: Bool, parameters: Bool)]
    public var gatewayResponses: [GatewayResponse]
    /// Authorizers by name (their `id` is the name until the import stores them); methods name them the same way.
    public var authorizers: [Authorizer] = []
    /// The parts of `x-amazon-apigateway-documentation` (their ids are made when they are stored).
    public var documentationParts: [DocumentationPart] = []
    public var warnings: [ImportProblem]

    /// The number of methods.
    public var methodCount: Int { paths.values.reduce(0) { $0 + $1.count } }
}

/// A method as imported, with its request validator named rather than identified.
public struct ImportedMethod: Sendable, Equatable {
    public var method: Method
    public var requestValidatorName: String?

    public init(method: Method, requestValidatorName: String? = nil) {
        self.method = method
        self.requestValidatorName = requestValidatorName
    }
}
