import Foundation
import NIOCore
import NIOHTTP1

/// A request as the engine sees it, after the invoke URL's API and stage are taken off.
public struct InvokeRequest: Sendable {
    public var method: String
    /// The resource path: `/api/pictures/all`.
    public var path: String
    /// The raw query string, without `?`.
    public var query: String?
    public var headers: HTTPHeaders
    public var body: ByteBuffer?
    public var sourceIP: String

    public init(
        method: String, path: String, query: String? = nil, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        sourceIP: String = "127.0.0.1"
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.sourceIP = sourceIP
    }

    /// The query parameters in order, percent-decoded (`+` is a space).
    var queryItems: [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// A response the engine gives.
public struct InvokeResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(status: Int, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as text.
    public var bodyText: String { String(buffer: body) }
}

/// The errors the gateway itself answers with, as API Gateway's gateway responses.
enum GatewayFailure: Error {
    case missingAuthenticationToken
    case invalidApiKey
    case throttled
    case quotaExceeded
    case cacheControlForbidden
    case integrationTimeout
    case integrationFailure
    case configurationError
    case requestTooLarge

    /// The gateway response type.
    var responseType: String {
        switch self {
        case .missingAuthenticationToken: "MISSING_AUTHENTICATION_TOKEN"
        case .invalidApiKey: "INVALID_API_KEY"
        case .throttled: "THROTTLED"
        case .quotaExceeded: "QUOTA_EXCEEDED"
        case .cacheControlForbidden: "ACCESS_DENIED"
        case .integrationTimeout: "INTEGRATION_TIMEOUT"
        case .integrationFailure: "INTEGRATION_FAILURE"
        case .configurationError: "API_CONFIGURATION_ERROR"
        case .requestTooLarge: "REQUEST_TOO_LARGE"
        }
    }

    var status: Int {
        switch self {
        case .missingAuthenticationToken, .invalidApiKey, .cacheControlForbidden: 403
        case .throttled, .quotaExceeded: 429
        case .integrationTimeout, .integrationFailure: 504
        case .configurationError: 500
        case .requestTooLarge: 413
        }
    }

    var message: String {
        switch self {
        case .missingAuthenticationToken: "Missing Authentication Token"
        case .invalidApiKey: "Forbidden"
        case .throttled: "Too Many Requests"
        case .quotaExceeded: "Limit Exceeded"
        case .cacheControlForbidden: "Forbidden"
        case .integrationTimeout: "Endpoint request timed out"
        case .integrationFailure: "Network error communicating with endpoint"
        case .configurationError: "Internal server error"
        case .requestTooLarge: "Request Too Long"
        }
    }

    var errorType: String {
        switch self {
        case .missingAuthenticationToken: "MissingAuthenticationTokenException"
        case .invalidApiKey, .cacheControlForbidden: "ForbiddenException"
        case .throttled: "TooManyRequestsException"
        case .quotaExceeded: "LimitExceededException"
        case .integrationTimeout, .integrationFailure, .configurationError: "InternalServerErrorException"
        case .requestTooLarge: "RequestTooLargeException"
        }
    }

    /// The body as API Gateway writes it: no space after the colon for gateway-side errors, one for
    /// integration errors (`{"message": "Endpoint request timed out"}`).
    var body: String {
        switch self {
        case .integrationTimeout, .integrationFailure, .configurationError: "{\"message\": \"\(message)\"}"
        default: "{\"message\":\"\(message)\"}"
        }
    }
}

/// Request ids in API Gateway's shapes.
enum RequestIds {
    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    /// `x-amzn-RequestId`: a UUID.
    static func requestId() -> String { UUID().uuidString.lowercased() }

    /// `x-amz-apigw-id`: 15 base64 characters and `=`.
    static func extendedId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<15).map { _ in base64.randomElement(using: &generator)! }) + "="
    }

    /// `X-Amzn-Trace-Id`: `Root=1-<8 hex>-<24 hex>`.
    static func traceId() -> String {
        var generator = SystemRandomNumberGenerator()
        let seconds = String(UInt32(Date().timeIntervalSince1970), radix: 16)
        let random = (0..<24).map { _ in String(Int.random(in: 0..<16, using: &generator), radix: 16) }.joined()
        return "Root=1-\(seconds)-\(random)"
    }
}
