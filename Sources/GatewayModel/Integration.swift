/// The kind of backend a method calls.
public enum IntegrationType: String, Codable, Sendable, CaseIterable {
    case http = "HTTP"
    case httpProxy = "HTTP_PROXY"
    case mock = "MOCK"
    case aws = "AWS"
    case awsProxy = "AWS_PROXY"
}

/// How the integration is reached.
public enum ConnectionType: String, Codable, Sendable, CaseIterable {
    case internet = "INTERNET"
    case vpcLink = "VPC_LINK"
}

/// What happens to a request body no mapping template matches.
public enum PassthroughBehavior: String, Codable, Sendable, CaseIterable {
    case whenNoMatch = "WHEN_NO_MATCH"
    case whenNoTemplates = "WHEN_NO_TEMPLATES"
    case never = "NEVER"
}

/// How a binary or text payload is converted.
public enum ContentHandling: String, Codable, Sendable, CaseIterable {
    case convertToBinary = "CONVERT_TO_BINARY"
    case convertToText = "CONVERT_TO_TEXT"
}

/// `Integration.tlsConfig`.
public struct TLSConfig: Codable, Sendable, Equatable {
    public var insecureSkipVerification: Bool
    public init(insecureSkipVerification: Bool) { self.insecureSkipVerification = insecureSkipVerification }
}

/// A method's integration request: what backend it calls and how.
public struct Integration: Codable, Sendable, Equatable {
    /// API Gateway's bounds for `timeoutInMillis`.
    public static let timeoutRange = 50...29_000
    /// The largest mapping template API Gateway takes, 300 KB.
    public static let maximumTemplateSize = 300 * 1024
    /// The default timeout, 29 seconds.
    public static let defaultTimeout = 29_000

    public var type: IntegrationType
    public var httpMethod: String?
    public var uri: String?
    public var connectionType: ConnectionType
    public var connectionId: String?
    public var credentials: String?
    /// `integration.request.{path|querystring|header}.NAME` → source expression.
    public var requestParameters: [String: String]
    /// Content type → mapping template.
    public var requestTemplates: [String: String]
    public var passthroughBehavior: PassthroughBehavior?
    public var contentHandling: ContentHandling?
    public var timeoutInMillis: Int
    public var cacheNamespace: String?
    public var cacheKeyParameters: [String]
    public var tlsConfig: TLSConfig?
    /// Status code → integration response.
    public var integrationResponses: [String: IntegrationResponse]

    public init(
        type: IntegrationType, httpMethod: String? = nil, uri: String? = nil,
        connectionType: ConnectionType = .internet,
        connectionId: String? = nil, credentials: String? = nil, requestParameters: [String: String] = [:],
        requestTemplates: [String: String] = [:], passthroughBehavior: PassthroughBehavior? = nil,
        contentHandling: ContentHandling? = nil, timeoutInMillis: Int = Integration.defaultTimeout,
        cacheNamespace: String? = nil, cacheKeyParameters: [String] = [], tlsConfig: TLSConfig? = nil,
        integrationResponses: [String: IntegrationResponse] = [:]
    ) {
        self.type = type
        self.httpMethod = httpMethod
        self.uri = uri
        self.connectionType = connectionType
        self.connectionId = connectionId
        self.credentials = credentials
        self.requestParameters = requestParameters
        self.requestTemplates = requestTemplates
        self.passthroughBehavior = passthroughBehavior
        self.contentHandling = contentHandling
        self.timeoutInMillis = timeoutInMillis
        self.cacheNamespace = cacheNamespace
        self.cacheKeyParameters = cacheKeyParameters
        self.tlsConfig = tlsConfig
        self.integrationResponses = integrationResponses
    }

    /// Whether the integration passes requests and responses through unchanged.
    public var isProxy: Bool { type == .httpProxy || type == .awsProxy }

    /// The Lambda function an `AWS` or `AWS_PROXY` integration invokes, by name.
    public var lambdaFunction: String? {
        guard type == .aws || type == .awsProxy, let uri else { return nil }
        return LambdaFunction.name(fromInvocationUri: uri)
    }
}

/// An integration response: which backend answers map to which method response, and how.
public struct IntegrationResponse: Codable, Sendable, Equatable {
    public var statusCode: String
    /// A regular expression on the backend status (HTTP) or error message (AWS); nil for the default.
    public var selectionPattern: String?
    /// `method.response.header.NAME` → source expression.
    public var responseParameters: [String: String]
    /// Content type → mapping template.
    public var responseTemplates: [String: String]
    public var contentHandling: ContentHandling?

    public init(
        statusCode: String, selectionPattern: String? = nil, responseParameters: [String: String] = [:],
        responseTemplates: [String: String] = [:], contentHandling: ContentHandling? = nil
    ) {
        self.statusCode = statusCode
        self.selectionPattern = selectionPattern
        self.responseParameters = responseParameters
        self.responseTemplates = responseTemplates
        self.contentHandling = contentHandling
    }
}
