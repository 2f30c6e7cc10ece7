import Foundation
import GatewayControl
import GatewayEngine
import GatewayImport
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// API Gateway's REST control API (the `apigateway` service, version 2015-07-09), so that the aws CLI, the SDKs
/// and Terraform drive Gatehouse as they drive AWS: the same paths, JSON shapes, status codes and error bodies.
/// Every operation goes through `GatewayControl`, so a change shows at once in the engine and an open console.
public final class ControlAPI: Sendable {
    /// What a `gatehouse serve` or console process allows on its control API.
    public struct Options: Sendable {
        /// `POST /moto-api/reset` wipes the state (for test suites that expect it).
        public var allowReset: Bool
        /// Requests must carry a valid SigV4 signature made with `credentials`.
        public var requireSignature: Bool
        /// The access key id and secret that signatures are checked against.
        public var credentials: SigV4.Credentials

        public init(
            allowReset: Bool = false, requireSignature: Bool = false,
            credentials: SigV4.Credentials = .init(accessKeyId: "test", secretAccessKey: "test")
        ) {
            self.allowReset = allowReset
            self.requireSignature = requireSignature
            self.credentials = credentials
        }
    }

    let control: GatewayControl
    let options: Options
    let routes: [Route]
    /// The account's CloudWatch role and features (kept for this process's life).
    let account = NIOLockedValueBox(AccountSettings())

    public init(control: GatewayControl, options: Options = .init()) {
        self.control = control
        self.options = options
        routes = ControlAPI.routeTable()
    }

    /// The responder the engine calls for every request that is not an invoke URL.
    public var responder: ControlResponder {
        { [self] request in await self.respond(request) }
    }

    /// Answers one control API request, or nil when its path is not one of the API's.
    public func respond(_ request: InvokeRequest) async -> InvokeResponse? {
        let call = ControlCall(request)
        guard let (route, parameters) = match(call) else {
            guard let allowed = allowedMethods(call) else {
                guard let feature = ControlAPI.unimplemented(call.segments) else { return nil }
                return reply(
                    for: ControlError(
                        status: 501, type: "NotImplementedException",
                        message:
                            "Gatehouse does not implement \(feature) of API Gateway's control API (\(call.method) \(call.rawPath))"
                    ), requestId: call.requestId)
            }
            return reply(
                for: GatewayError.badRequest(
                    "Method \(call.method) is not allowed on \(call.rawPath); use one of \(allowed.joined(separator: ", "))"
                ), requestId: call.requestId)
        }
        if options.requireSignature, route.signed,
            let problem = SigV4.problem(with: request, credentials: options.credentials)
        {
            return reply(
                for: ControlError(status: 403, type: problem.type, message: problem.message), requestId: call.requestId)
        }
        var bound = call
        bound.parameters = parameters
        do {
            let result = try await route.handler(self, bound)
            return result.response(requestId: call.requestId)
        } catch {
            return reply(for: error, requestId: call.requestId)
        }
    }

    func match(_ call: ControlCall) -> (Route, [String: String])? {
        for route in routes where route.method == call.method {
            if let parameters = route.match(call.segments) { return (route, parameters) }
        }
        return nil
    }

    /// The methods a path takes, when it is a control API path at all.
    func allowedMethods(_ call: ControlCall) -> [String]? {
        let methods = routes.filter { $0.match(call.segments) != nil }.map(\.method)
        return methods.isEmpty ? nil : Array(Set(methods)).sorted()
    }

    /// The part of API Gateway's control API a path belongs to when Gatehouse does not implement it, so that a
    /// tool gets a clear 501 rather than the 403 of an unknown path.
    static func unimplemented(_ segments: [String]) -> String? {
        switch segments.first {
        case "clientcertificates": return "client certificates"
        case "sdktypes": return "SDK generation"
        case "restapis" where segments.count >= 3:
            switch segments[2] {
            case "documentation": return "documentation parts and versions"
            case "stages" where segments.count >= 5 && segments[4] == "sdks": return "SDK generation"
            default: return nil
            }
        default: return nil
        }
    }

    /// API Gateway's error answer: the status, `x-amzn-ErrorType` and `{"message": …}`.
    func reply(for error: Error, requestId: String) -> InvokeResponse {
        let failure: ControlError
        switch error {
        case let error as ControlError: failure = error
        case let error as GatewayError:
            failure = ControlError(status: error.kind.status, type: error.kind.rawValue, message: error.message)
        case let error as ImportError:
            failure = ControlError(status: 400, type: "BadRequestException", message: error.description)
        default:
            failure = ControlError(status: 500, type: "InternalFailure", message: String(describing: error))
        }
        var reply = Reply.json(failure.status, ["message": failure.message])
        reply.headers.append(("x-amzn-ErrorType", failure.type))
        return reply.response(requestId: requestId)
    }
}

/// What UpdateAccount changes.
struct AccountSettings: Sendable {
    var roleArn: String?
    var features = ["UsagePlans"]
}

/// An error answer that is not one of the control plane's own (signature, method, input shape).
struct ControlError: Error {
    var status: Int
    var type: String
    var message: String

    static func badRequest(_ message: String) -> ControlError {
        ControlError(status: 400, type: "BadRequestException", message: message)
    }

    /// AWS's input validation failure: `1 validation error detected: Value 'x' at 'member' failed to satisfy
    /// constraint: Member must satisfy enum value set: [A, B]`.
    static func validation(value: String, at member: String, allowed: [String]) -> ControlError {
        ControlError(
            status: 400, type: "ValidationException",
            message:
                "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must satisfy enum value set: [\(allowed.sorted().joined(separator: ", "))]"
        )
    }
}

/// What a handler answers: a status, a body and its headers.
struct Reply: Sendable {
    var status: Int
    var body: Data
    var headers: [(String, String)]

    /// A JSON document (`[String: Any]` or an array) as the body.
    static func json(_ status: Int, _ object: Any) -> Reply {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Reply(status: status, body: data, headers: [("Content-Type", "application/json")])
    }

    /// An answer with no body (most deletes: 202).
    static func empty(_ status: Int) -> Reply { Reply(status: status, body: Data(), headers: []) }

    func response(requestId: String) -> InvokeResponse {
        var headers = HTTPHeaders(headers)
        headers.replaceOrAdd(name: "x-amzn-RequestId", value: requestId)
        return InvokeResponse(status: status, headers: headers, body: ByteBuffer(bytes: body))
    }
}
