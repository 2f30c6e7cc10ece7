/// How callers of a method are authorized.
public enum AuthorizationType: String, Codable, Sendable, CaseIterable {
    case none = "NONE"
    case awsIam = "AWS_IAM"
    case custom = "CUSTOM"
    case cognitoUserPools = "COGNITO_USER_POOLS"
}

/// A method on a resource: the client-facing request and responses, and its integration.
public struct Method: Codable, Sendable, Equatable {
    public var httpMethod: String
    public var authorizationType: AuthorizationType
    public var authorizerId: String?
    /// The OAuth scopes a `COGNITO_USER_POOLS` method needs one of (then it takes an access token, not an ID token).
    public var authorizationScopes: [String]?
    public var apiKeyRequired: Bool
    public var operationName: String?
    public var requestValidatorId: String?
    /// `method.request.{path|querystring|header}.NAME` → required.
    public var requestParameters: [String: Bool]
    /// Content type → model name.
    public var requestModels: [String: String]
    /// Status code → method response.
    public var methodResponses: [String: MethodResponse]
    public var methodIntegration: Integration?

    public init(
        httpMethod: String, authorizationType: AuthorizationType = .none, authorizerId: String? = nil,
        apiKeyRequired: Bool = false, operationName: String? = nil, requestValidatorId: String? = nil,
        requestParameters: [String: Bool] = [:], requestModels: [String: String] = [:],
        methodResponses: [String: MethodResponse] = [:], methodIntegration: Integration? = nil
    ) {
        self.httpMethod = httpMethod
        self.authorizationType = authorizationType
        self.authorizerId = authorizerId
        self.apiKeyRequired = apiKeyRequired
        self.operationName = operationName
        self.requestValidatorId = requestValidatorId
        self.requestParameters = requestParameters
        self.requestModels = requestModels
        self.methodResponses = methodResponses
        self.methodIntegration = methodIntegration
    }
}

/// A method response: a status code the method may answer with, its headers and models.
public struct MethodResponse: Codable, Sendable, Equatable {
    public var statusCode: String
    /// `method.response.header.NAME` → required.
    public var responseParameters: [String: Bool]
    /// Content type → model name.
    public var responseModels: [String: String]
    /// The maps (`responseParameters`, `responseModels`) a put gave empty: AWS answers those as `{}`, and leaves
    /// out an empty map otherwise (none given, or a patch removed the last entry). Nil when there are none.
    public var shownWhenEmpty: [String]?

    public init(statusCode: String, responseParameters: [String: Bool] = [:], responseModels: [String: String] = [:]) {
        self.statusCode = statusCode
        self.responseParameters = responseParameters
        self.responseModels = responseModels
    }
}

/// Where a request parameter lives.
public enum ParameterLocation: String, Sendable, CaseIterable {
    case path
    case querystring
    case header

    /// `method.request.<location>.<name>`.
    public func methodRequestKey(_ name: String) -> String { "method.request.\(rawValue).\(name)" }

    /// Splits `method.request.querystring.type` into (querystring, type).
    public static func parse(methodRequestKey key: String) -> (ParameterLocation, String)? {
        let prefix = "method.request."
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        guard let location = ParameterLocation(rawValue: String(rest[..<dot])) else { return nil }
        let name = String(rest[rest.index(after: dot)...])
        return name.isEmpty ? nil : (location, name)
    }
}
