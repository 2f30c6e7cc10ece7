import Foundation

/// The kinds of authorizer API Gateway has.
public enum AuthorizerType: String, Codable, Sendable, CaseIterable {
    /// A Lambda function given a token from one header.
    case token = "TOKEN"
    /// A Lambda function given the request's identity sources.
    case request = "REQUEST"
    /// An Amazon Cognito user pool checking a JWT.
    case cognitoUserPools = "COGNITO_USER_POOLS"
}

/// An authorizer of a REST API (`CreateAuthorizer`). Gatehouse runs no Lambda function and asks no user pool: it
/// checks what API Gateway checks before calling them, that the identity sources are there (and, for TOKEN, match
/// `identityValidationExpression`), and then lets the request through.
public struct Authorizer: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var type: AuthorizerType
    public var providerARNs: [String]?
    public var authType: String?
    public var authorizerUri: String?
    public var authorizerCredentials: String?
    public var identitySource: String?
    public var identityValidationExpression: String?
    public var authorizerResultTtlInSeconds: Int?

    public init(
        id: String, name: String, type: AuthorizerType, providerARNs: [String]? = nil, authType: String? = nil,
        authorizerUri: String? = nil, authorizerCredentials: String? = nil, identitySource: String? = nil,
        identityValidationExpression: String? = nil, authorizerResultTtlInSeconds: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.providerARNs = providerARNs
        self.authType = authType
        self.authorizerUri = authorizerUri
        self.authorizerCredentials = authorizerCredentials
        self.identitySource = identitySource
        self.identityValidationExpression = identityValidationExpression
        self.authorizerResultTtlInSeconds = authorizerResultTtlInSeconds
    }

    /// The request headers named by `identitySource` (`method.request.header.Authorization, method.request.header.X`);
    /// TOKEN and COGNITO_USER_POOLS authorizers default to `Authorization`.
    public var identityHeaders: [String] {
        let sources = (identitySource ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let headers = sources.compactMap { source -> String? in
            let prefix = "method.request.header."
            return source.hasPrefix(prefix) ? String(source.dropFirst(prefix.count)) : nil
        }
        if headers.isEmpty && type != .request { return ["Authorization"] }
        return headers
    }

    /// The query-string parameters named by `identitySource` (`method.request.querystring.token`).
    public var identityQueryParameters: [String] {
        (identitySource ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.compactMap {
            let prefix = "method.request.querystring."
            return $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : nil
        }
    }

    /// Why this authorizer cannot be saved as it is, or nil.
    public var problem: String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "Authorizer name must be non-empty" }
        switch type {
        case .token, .request:
            guard let uri = authorizerUri, uri.hasPrefix("arn:") else {
                return
                    "Invalid Authorizer URI: a \(type.rawValue) authorizer needs the Lambda function's invocation ARN"
            }
        case .cognitoUserPools:
            guard let arns = providerARNs, !arns.isEmpty else {
                return "A COGNITO_USER_POOLS authorizer needs providerARNs (the user pools' ARNs)"
            }
        }
        if type == .token, let expression = identityValidationExpression,
            (try? NSRegularExpression(pattern: expression)) == nil
        {
            return "Invalid identityValidationExpression '\(expression)': not a regular expression"
        }
        if let ttl = authorizerResultTtlInSeconds, !(0...3600).contains(ttl) {
            return "authorizerResultTtlInSeconds must be from 0 to 3600"
        }
        return nil
    }
}
