/// An error as API Gateway's control API reports it: an exception kind, an HTTP status and a message.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// API Gateway's exception kinds.
    public enum Kind: String, Sendable {
        case badRequest = "BadRequestException"
        case notFound = "NotFoundException"
        case conflict = "ConflictException"
        case limitExceeded = "LimitExceededException"
        case tooManyRequests = "TooManyRequestsException"
        case unauthorized = "UnauthorizedException"
        case serviceUnavailable = "ServiceUnavailableException"
        case accessDenied = "AccessDeniedException"

        /// The HTTP status API Gateway answers with.
        public var status: Int {
            switch self {
            case .badRequest: 400
            case .notFound: 404
            case .conflict: 409
            case .limitExceeded, .tooManyRequests: 429
            case .unauthorized: 401
            case .accessDenied: 403
            case .serviceUnavailable: 503
            }
        }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    public static func badRequest(_ message: String) -> GatewayError { .init(.badRequest, message) }
    public static func notFound(_ message: String) -> GatewayError { .init(.notFound, message) }
    public static func conflict(_ message: String) -> GatewayError { .init(.conflict, message) }
}
