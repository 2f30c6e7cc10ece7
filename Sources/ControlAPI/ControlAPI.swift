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
        /// Host names (besides loopback addresses and `localhost`) a request's `Host` may name.
        public var allowedHosts: Set<String>
        /// Browser origins (`https://console.example.com`) allowed to call; others are refused.
        public var allowedOrigins: Set<String>

        public init(
            allowReset: Bool = false, requireSignature: Bool = false,
            credentials: SigV4.Credentials = .init(accessKeyId: "test", secretAccessKey: "test"),
            allowedHosts: Set<String> = [], allowedOrigins: Set<String> = []
        ) {
            self.allowReset = allowReset
            self.requireSignature = requireSignature
            self.credentials = credentials
            self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
            self.allowedOrigins = Set(allowedOrigins.map { $0.lowercased() })
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
        if let refusal = refusal(of: request) {
            return reply(
                for: ControlError(status: 403, type: "AccessDeniedException", message: refusal),
                requestId: call.requestId)
        }
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
        if options.requireSignature, route.signed {
            do throws(SigV4.Problem) {
                try SigV4.check(request, path: request.signedPath ?? request.path, credentials: [options.credentials])
            } catch {
                return reply(
                    for: ControlError(status: 403, type: error.type, message: error.message), requestId: call.requestId)
            }
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

    /// Why a request may not use the control API though it reached it, if it may not: one sent by a web page
    /// (a browser `Origin` not allowed), or one whose `Host` names neither a loopback address nor an allowed name
    /// (a page that re-bound its own DNS name to 127.0.0.1). The aws CLI, the SDKs and Terraform send no `Origin`
    /// and name the endpoint they were given.
    func refusal(of request: InvokeRequest) -> String? {
        if let origin = request.headers.first(name: "Origin"),
            !options.allowedOrigins.contains(origin.lowercased())
        {
            return
                "Requests from web pages (Origin: \(origin)) may not use Gatehouse's control API; allow the origin with --allow-origin"
        }
        // (The listener has already refused an HTTP/1.1 request without exactly one Host.)
        if let host = request.headers.first(name: "Host"), !ControlAPI.isLocal(host: host),
            !options.allowedHosts.contains(ControlAPI.hostName(host))
        {
            return
                "The Host '\(host)' is not a loopback address or a name this gateway was told to answer to; allow it with --allow-host"
        }
        return nil
    }

    /// A Host header's name, lower-cased, without its port (`[::1]` keeps its brackets).
    static func hostName(_ host: String) -> String {
        let lower = host.lowercased()
        if lower.hasPrefix("[") { return String(lower.prefix { $0 != "]" }) + "]" }
        return String(lower.prefix { $0 != ":" })
    }

    /// Whether a Host header names this machine's loopback: `localhost` (and names under it), `127.0.0.0/8`,
    /// `[::1]`, with or without a port.
    public static func isLocal(host: String) -> Bool {
        let name = hostName(host)
        if name.hasPrefix("[") { return name == "[::1]" }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { part in UInt8(part) != nil }
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
    /// constraint: Member must satisfy enum value set: [A, B]`. The values are listed sorted unless `inOrder`
    /// (where AWS's answer shows its own order).
    static func validation(value: String, at member: String, allowed: [String], inOrder: Bool = false) -> ControlError {
        let listed = inOrder ? allowed : allowed.sorted()
        return validation([
            "Value '\(value)' at '\(member)' failed to satisfy constraint: Member must satisfy enum value set: [\(listed.joined(separator: ", "))]"
        ])
    }

    /// AWS's answer to members that fail their constraints: `N validation error(s) detected: A; B`.
    static func validation(_ problems: [String]) -> ControlError {
        let count = problems.count == 1 ? "1 validation error detected" : "\(problems.count) validation errors detected"
        return ControlError(
            status: 400, type: "ValidationException", message: "\(count): \(problems.joined(separator: "; "))")
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
