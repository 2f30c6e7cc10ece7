import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import VTL

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
    /// The path as the client sent it (percent-encoded, with the stage or base path), kept for a request that carries
    /// a SigV4 signature: the signature is over it.
    public var signedPath: String?

    public init(
        method: String, path: String, query: String? = nil, headers: HTTPHeaders = [:], body: ByteBuffer? = nil,
        sourceIP: String = "127.0.0.1", signedPath: String? = nil
    ) {
        self.signedPath = signedPath
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
    case incompleteSignature
    /// An `AWS_IAM` method's SigV4 signature is not good (unknown key, wrong signature, expired).
    case signature(SigV4.Problem)
    case unauthorized
    case authorizerConfigurationError
    case badRequestParameters(missing: [String])
    case badRequestBody
    case invalidApiKey
    case throttled
    case quotaExceeded
    case cacheControlForbidden
    case integrationTimeout
    case integrationFailure
    case configurationError
    case requestTooLarge
    case headersTooLarge
    /// No request template for the request's content type, and the passthrough behaviour refuses it.
    case unsupportedMediaType
    /// A Lambda function failed or answered what a proxy integration cannot use (502).
    case badGateway
    /// A Lambda authorizer's policy does not allow the method (`explicit`: it denies it).
    case accessDenied(explicit: Bool)
    /// A Lambda authorizer failed or answered no usable policy.
    case authorizerFailure

    /// The gateway response type.
    var responseType: String {
        switch self {
        case .missingAuthenticationToken: "MISSING_AUTHENTICATION_TOKEN"
        case .incompleteSignature: "INVALID_SIGNATURE"
        case .signature(let problem):
            problem.type == "MissingAuthenticationTokenException" ? "MISSING_AUTHENTICATION_TOKEN" : "INVALID_SIGNATURE"
        case .unauthorized: "UNAUTHORIZED"
        case .authorizerConfigurationError: "AUTHORIZER_CONFIGURATION_ERROR"
        case .badRequestParameters: "BAD_REQUEST_PARAMETERS"
        case .badRequestBody: "BAD_REQUEST_BODY"
        case .invalidApiKey: "INVALID_API_KEY"
        case .throttled: "THROTTLED"
        case .quotaExceeded: "QUOTA_EXCEEDED"
        case .cacheControlForbidden: "ACCESS_DENIED"
        case .integrationTimeout: "INTEGRATION_TIMEOUT"
        case .integrationFailure: "INTEGRATION_FAILURE"
        case .configurationError: "API_CONFIGURATION_ERROR"
        case .requestTooLarge, .headersTooLarge: "REQUEST_TOO_LARGE"
        case .unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE"
        case .badGateway: "DEFAULT_5XX"
        case .accessDenied: "ACCESS_DENIED"
        case .authorizerFailure: "AUTHORIZER_FAILURE"
        }
    }

    var status: Int {
        switch self {
        case .missingAuthenticationToken, .incompleteSignature, .signature, .invalidApiKey, .cacheControlForbidden: 403
        case .unauthorized: 401
        case .authorizerConfigurationError: 500
        case .badRequestParameters, .badRequestBody: 400
        case .throttled, .quotaExceeded: 429
        case .integrationTimeout, .integrationFailure: 504
        case .configurationError: 500
        case .requestTooLarge: 413
        case .headersTooLarge: 431
        case .unsupportedMediaType: 415
        case .badGateway: 502
        case .accessDenied: 403
        case .authorizerFailure: 500
        }
    }

    var message: String {
        switch self {
        case .missingAuthenticationToken: "Missing Authentication Token"
        case .incompleteSignature:
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters (AWS Signature Version 4)"
        case .signature(let problem): problem.message
        case .unauthorized: "Unauthorized"
        case .authorizerConfigurationError: "Internal server error"
        case .badRequestParameters(let missing):
            "Missing required request parameters: [\(missing.joined(separator: ", "))]"
        case .badRequestBody: "Invalid request body"
        case .invalidApiKey: "Forbidden"
        case .throttled: "Too Many Requests"
        case .quotaExceeded: "Limit Exceeded"
        case .cacheControlForbidden: "Forbidden"
        case .integrationTimeout: "Endpoint request timed out"
        case .integrationFailure: "Network error communicating with endpoint"
        case .configurationError: "Internal server error"
        case .requestTooLarge: "Request Too Large"
        case .headersTooLarge: "HTTP header is larger than 10240 bytes."
        case .unsupportedMediaType: "Unsupported Media Type"
        case .badGateway, .authorizerFailure: "Internal server error"
        case .accessDenied(let explicit):
            explicit
                ? "User is not authorized to access this resource with an explicit deny"
                : "User is not authorized to access this resource"
        }
    }

    var errorType: String {
        switch self {
        case .missingAuthenticationToken: "MissingAuthenticationTokenException"
        case .incompleteSignature: "IncompleteSignatureException"
        case .signature(let problem): problem.type
        case .unauthorized: "UnauthorizedException"
        case .authorizerConfigurationError: "AuthorizerConfigurationException"
        case .badRequestParameters, .badRequestBody: "BadRequestException"
        case .invalidApiKey, .cacheControlForbidden: "ForbiddenException"
        case .throttled: "TooManyRequestsException"
        case .quotaExceeded: "LimitExceededException"
        case .integrationTimeout, .integrationFailure, .configurationError: "InternalServerErrorException"
        case .requestTooLarge, .headersTooLarge: "RequestTooLargeException"
        case .unsupportedMediaType: "UnsupportedMediaTypeException"
        case .badGateway: "InternalServerErrorException"
        case .accessDenied: "AccessDeniedException"
        case .authorizerFailure: "AuthorizerFailureException"
        }
    }

    /// The body as API Gateway writes it: no space after the colon for gateway-side errors, one for
    /// integration errors (`{"message": "Endpoint request timed out"}`).
    var body: String {
        switch self {
        case .integrationTimeout, .integrationFailure, .configurationError, .authorizerConfigurationError, .badGateway,
            .authorizerFailure:
            "{\"message\": \"\(message)\"}"
        // An authorizer's denial is the one answer API Gateway writes with a capital M.
        case .accessDenied: "{\"Message\":\"\(message)\"}"
        // A signature's message quotes the canonical request, with its newlines and quotes.
        case .signature(let problem):
            {
                var body = "{\"message\":"
                Value.writeJSONString(problem.message, into: &body, escapingSlash: false)
                return body + "}"
            }()
        default: "{\"message\":\"\(message)\"}"
        }
    }
}

/// Request ids in API Gateway's shapes, from a fast generator (ids need to be unique, not secret): one
/// system random seed, then SplitMix64 over an atomic counter, so making an id costs no system call.
enum RequestIds {
    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let hex = Array("0123456789abcdef".utf8)
    private static let state = Atomic<UInt64>(UInt64.random(in: .min ... .max))

    /// 64 random bits.
    static func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Writes `count` hex digits of `value` at `offset`; returns the offset after them.
    private static func hexDigits(
        _ value: UInt64, count: Int, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int
    ) -> Int {
        for index in 0..<count {
            bytes[offset + index] = hex[Int((value >> (UInt64(count - 1 - index) * 4)) & 0xF)]
        }
        return offset + count
    }

    /// `x-amzn-RequestId`: a version 4 UUID, lower case. (Each id is written straight into its string's storage.)
    static func requestId() -> String {
        let high = (next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return String(unsafeUninitializedCapacity: 36) { bytes in
            var offset = hexDigits(high >> 32, count: 8, into: bytes, at: 0)
            bytes[offset] = UInt8(ascii: "-")
            offset = hexDigits((high >> 16) & 0xFFFF, count: 4, into: bytes, at: offset + 1)
            bytes[offset] = UInt8(ascii: "-")
            offset = hexDigits(high & 0xFFFF, count: 4, into: bytes, at: offset + 1)
            bytes[offset] = UInt8(ascii: "-")
            offset = hexDigits(low >> 48, count: 4, into: bytes, at: offset + 1)
            bytes[offset] = UInt8(ascii: "-")
            return hexDigits(low & 0xFFFF_FFFF_FFFF, count: 12, into: bytes, at: offset + 1)
        }
    }

    /// `x-amz-apigw-id`: 15 base64 characters and `=`.
    static func extendedId() -> String {
        var bits = next()
        var more = next()
        return String(unsafeUninitializedCapacity: 16) { bytes in
            for index in 0..<15 {
                if index == 10 {
                    bits = more
                    more = 0
                }
                bytes[index] = base64[Int(bits & 63)]
                bits >>= 6
            }
            bytes[15] = UInt8(ascii: "=")
            return 16
        }
    }

    /// `X-Amzn-Trace-Id`: `Root=1-<8 hex seconds>-<24 hex>`.
    static func traceId() -> String {
        let seconds = UInt64(UInt32(truncatingIfNeeded: time(nil)))
        let first = next()
        let second = next() >> 32
        return String(unsafeUninitializedCapacity: 40) { bytes in
            for (index, byte) in "Root=1-".utf8.enumerated() { bytes[index] = byte }
            var offset = hexDigits(seconds, count: 8, into: bytes, at: 7)
            bytes[offset] = UInt8(ascii: "-")
            offset = hexDigits(first, count: 16, into: bytes, at: offset + 1)
            return hexDigits(second, count: 8, into: bytes, at: offset)
        }
    }
}
