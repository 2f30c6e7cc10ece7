import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore

/// A Lambda authorizer's answer: the IAM policy it returned (evaluated against each request's method ARN, also
/// when the answer comes from the cache) and what it allowed the request with.
struct AuthorizerAnswer: Sendable {
    struct Statement: Sendable {
        var allow: Bool
        var actions: [String]
        var resources: [String]
    }
    var statements: [Statement]
    var output: AuthorizerOutput
    /// The policy document as the function returned it (for TestInvokeAuthorizer).
    var policy: String = "{}"

    enum Decision: Equatable { case allow, explicitDeny, implicitDeny }

    /// IAM's rule: an explicit Deny that matches wins, then an Allow that matches; otherwise denied.
    func decision(methodArn: String) -> Decision {
        var allowed = false
        for statement in statements
        where statement.actions.contains(where: AuthorizerAnswer.coversInvoke)
            && statement.resources.contains(where: { AuthorizerAnswer.glob($0, matches: methodArn) })
        {
            if !statement.allow { return .explicitDeny }
            allowed = true
        }
        return allowed ? .allow : .implicitDeny
    }

    /// `execute-api:Invoke`, `execute-api:*`, `*`: IAM's actions are matched without regard to case.
    static func coversInvoke(_ action: String) -> Bool { glob(action.lowercased(), matches: "execute-api:invoke") }

    /// IAM's wildcards: `*` any run of characters (`/` too), `?` any one.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(text.utf8)
        var (i, j) = (0, 0)
        var star = -1
        var mark = 0
        while j < t.count {
            if i < p.count, p[i] == UInt8(ascii: "?") || p[i] == t[j] {
                i += 1
                j += 1
            } else if i < p.count, p[i] == UInt8(ascii: "*") {
                star = i
                mark = j
                i += 1
            } else if star >= 0 {
                i = star + 1
                mark += 1
                j = mark
            } else {
                return false
            }
        }
        while i < p.count, p[i] == UInt8(ascii: "*") { i += 1 }
        return i == p.count
    }

    struct Invalid: Error {
        var reason: String
    }

    /// Reads what the function returned: `principalId`, `policyDocument` (`Statement` an object or a list; `Action`
    /// and `Resource` a string or a list), `context` (scalars), `usageIdentifierKey`.
    static func parse(_ payload: ByteBuffer) throws(Invalid) -> AuthorizerAnswer {
        let data = Data(payload.readableBytesView)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Invalid(reason: "the authorizer's answer is not a JSON object")
        }
        guard let principal = object["principalId"], !(principal is NSNull) else {
            throw Invalid(reason: "the authorizer's answer has no principalId")
        }
        guard let document = object["policyDocument"] as? [String: Any] else {
            throw Invalid(reason: "the authorizer's answer has no policyDocument")
        }
        let rawStatements: [[String: Any]]
        if let list = document["Statement"] as? [[String: Any]] {
            rawStatements = list
        } else if let one = document["Statement"] as? [String: Any] {
            rawStatements = [one]
        } else {
            throw Invalid(reason: "the policyDocument has no Statement")
        }
        func strings(_ value: Any?) -> [String] {
            if let text = value as? String { return [text] }
            return (value as? [Any])?.compactMap { $0 as? String } ?? []
        }
        var statements: [Statement] = []
        for raw in rawStatements {
            guard let effect = (raw["Effect"] as? String)?.lowercased(), effect == "allow" || effect == "deny" else {
                throw Invalid(reason: "a Statement's Effect is not Allow or Deny")
            }
            statements.append(
                Statement(
                    allow: effect == "allow", actions: strings(raw["Action"]), resources: strings(raw["Resource"])))
        }
        var output = AuthorizerOutput(principalId: JSONScalar(principal)?.text ?? "\(principal)")
        if let context = object["context"] as? [String: Any] {
            for (name, value) in context.sorted(by: { $0.key < $1.key }) {
                // Lambda authorizers may return only strings, numbers and booleans in their context.
                guard let scalar = JSONScalar(value) else {
                    throw Invalid(reason: "context.\(name) is not a string, number or boolean")
                }
                output.context.append((name, scalar))
            }
        }
        output.usageIdentifierKey = object["usageIdentifierKey"] as? String
        let policy = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
            .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/") }
        return AuthorizerAnswer(statements: statements, output: output, policy: policy ?? "{}")
    }

    /// The method ARN API Gateway gives authorizers: `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH`.
    static func methodArn(_ context: RequestContext, region: String) -> String {
        "arn:aws:execute-api:\(region):\(Region.accountId):\(context.apiId)/\(context.stageName)/\(context.request.method)\(context.request.path)"
    }

    /// The event for a TOKEN or a REQUEST authorizer.
    static func event(_ authorizer: Authorizer, token: String?, context: RequestContext, methodArn: String)
        -> [String: Any]
    {
        if authorizer.type == .token {
            return ["type": "TOKEN", "authorizationToken": token ?? "", "methodArn": methodArn]
        }
        var event = LambdaProxy.event(context)
        event["body"] = nil
        event["isBase64Encoded"] = nil
        event["type"] = "REQUEST"
        event["methodArn"] = methodArn
        return event
    }
}

/// Authorizer answers kept per identity-source value for `authorizerResultTtlInSeconds`, by stage.
final class AuthorizerCache: Sendable {
    private let entries = NIOLockedValueBox<[String: (expires: UInt64, answer: AuthorizerAnswer)]>([:])
    static let most = 10_000

    func lookup(_ key: String, now: UInt64) -> AuthorizerAnswer? {
        entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= now {
                entries[key] = nil
                return nil
            }
            return entry.answer
        }
    }

    func store(_ answer: AuthorizerAnswer, key: String, ttlSeconds: Int, now: UInt64) {
        entries.withLockedValue { entries in
            if entries.count >= AuthorizerCache.most { entries.removeAll(keepingCapacity: true) }
            entries[key] = (now + UInt64(ttlSeconds) * 1_000_000_000, answer)
        }
    }

    /// FlushStageAuthorizersCache.
    func flush(api: String, stage: String) {
        let prefix = "\(api)/\(stage)/"
        entries.withLockedValue { entries in entries = entries.filter { !$0.key.hasPrefix(prefix) } }
    }
}

extension RequestPipeline {
    /// Why a Lambda authorizer refused a request.
    struct AuthorizerRefusal: Error {
        var failure: GatewayFailure
        var reason: String
    }

    /// Runs a TOKEN or REQUEST authorizer (or takes its cached answer for the same identity sources) and
    /// evaluates its policy against the request's method ARN.
    func authorize(_ compiled: CompiledAuthorizer, _ context: RequestContext, on eventLoop: EventLoop)
        -> EventLoopFuture<Result<AuthorizerOutput, AuthorizerRefusal>>
    {
        let authorizer = compiled.authorizer
        let log = context.log
        guard let (name, region) = authorizerFunction(authorizer, context) else {
            return eventLoop.makeSucceededFuture(
                .failure(AuthorizerRefusal(failure: .authorizerConfigurationError, reason: "its URI names no function"))
            )
        }
        let methodArn = AuthorizerAnswer.methodArn(context, region: region)
        var identity = compiled.headers.compactMap { context.request.headers.first(name: $0) }
        if !compiled.queryParameters.isEmpty {
            let query = context.request.queryItems
            for name in compiled.queryParameters { identity += query.filter { $0.0 == name }.map(\.1) }
        }
        let ttl = authorizer.authorizerResultTtlInSeconds ?? 300
        let cacheKey =
            "\(context.apiId)/\(context.stageName)/\(authorizer.id)/" + identity.joined(separator: "\u{1}")
        let started = NIODeadline.now()
        log?.add("Starting authorizer: \(authorizer.id) for request: \(context.requestId)")

        @Sendable func decide(_ answer: AuthorizerAnswer, cached: Bool) -> Result<AuthorizerOutput, AuthorizerRefusal> {
            switch answer.decision(methodArn: methodArn) {
            case .allow:
                var output = answer.output
                output.latencyMillis = cached ? 0 : Int((NIODeadline.now() - started).nanoseconds / 1_000_000)
                log?.add(
                    "Using \(cached ? "cached" : "valid") authorizer policy for principal: \(output.principalId ?? "")")
                log?.add("Successfully completed authorizer execution")
                return .success(output)
            case .explicitDeny:
                log?.add("The client is not authorized to perform this operation (explicit deny of \(methodArn)).")
                return .failure(
                    AuthorizerRefusal(failure: .accessDenied(explicit: true), reason: "its policy denies \(methodArn)"))
            case .implicitDeny:
                log?.add("The client is not authorized to perform this operation (no Allow for \(methodArn)).")
                return .failure(
                    AuthorizerRefusal(
                        failure: .accessDenied(explicit: false), reason: "its policy allows no \(methodArn)"))
            }
        }
        let caching = ttl > 0 && !identity.isEmpty
        if caching, let cached = authorizerCache.lookup(cacheKey, now: NIODeadline.now().uptimeNanoseconds) {
            return eventLoop.makeSucceededFuture(decide(cached, cached: true))
        }
        let cache = authorizerCache
        return invokeAuthorizer(compiled, context, function: name, region: region, methodArn: methodArn, on: eventLoop)
            .map { result in
                result.flatMap { answer in
                    if caching {
                        cache.store(answer, key: cacheKey, ttlSeconds: ttl, now: NIODeadline.now().uptimeNanoseconds)
                    }
                    return decide(answer, cached: false)
                }
            }
    }

    /// The function an authorizer's URI names (stage variables substituted) and its region; nil, and a log line,
    /// when it names none.
    func authorizerFunction(_ authorizer: Authorizer, _ context: RequestContext) -> (name: String, region: String)? {
        let uri = context.substitutingStageVariables(authorizer.authorizerUri ?? "")
        guard let name = LambdaFunction.name(fromInvocationUri: uri) else {
            context.log?.add("Execution failed due to configuration error: Invalid authorizer URI '\(uri)'")
            return nil
        }
        return (name, uri.split(separator: ":").dropFirst(3).first.map(String.init) ?? Region.default)
    }

    /// Calls an authorizer's function with the event for the request and reads its answer; a function that
    /// fails with `Unauthorized` refuses with 401, any other failure or answer without a policy with 500.
    func invokeAuthorizer(
        _ compiled: CompiledAuthorizer, _ context: RequestContext, function name: String, region: String,
        methodArn: String, on eventLoop: EventLoop
    ) -> EventLoopFuture<Result<AuthorizerAnswer, AuthorizerRefusal>> {
        let log = context.log
        let event = AuthorizerAnswer.event(
            compiled.authorizer, token: compiled.token(in: context.request), context: context, methodArn: methodArn)
        let payload = LambdaProxy.encode(event)
        log?.add("Endpoint request URI: \(IntegrationRunner.lambdaEndpoint(name, region: region))")
        log?.add("Endpoint request body after transformations: \(ExecutionLog.body(payload, binary: false))")
        return integrations.functions.invoke(name, payload: payload, requestId: context.requestId, on: eventLoop)
            .map { result -> Result<AuthorizerAnswer, AuthorizerRefusal> in
                switch result {
                case .success(let body):
                    log?.add("Authorizer result body before parsing: \(ExecutionLog.body(body, binary: false))")
                    do throws(AuthorizerAnswer.Invalid) {
                        return .success(try AuthorizerAnswer.parse(body))
                    } catch {
                        log?.add(
                            "Execution failed due to configuration error: Invalid JSON in response: \(error.reason)")
                        return .failure(AuthorizerRefusal(failure: .authorizerConfigurationError, reason: error.reason))
                    }
                case .functionError(let body, let type):
                    let message = LambdaProxy.errorMessage(body) ?? type
                    // A function that fails with "Unauthorized" is how an authorizer says 401.
                    if message == "Unauthorized" {
                        log?.add("Unauthorized request: \(context.requestId)")
                        return .failure(AuthorizerRefusal(failure: .unauthorized, reason: "it answered Unauthorized"))
                    }
                    log?.add("Execution failed due to configuration error: Authorizer error: \(message)")
                    return .failure(
                        AuthorizerRefusal(failure: .authorizerConfigurationError, reason: "it failed: \(message)"))
                }
            }.recover { error in
                log?.add("Execution failed due to configuration error: Authorizer error: \(error)")
                return .failure(AuthorizerRefusal(failure: .authorizerConfigurationError, reason: "\(error)"))
            }
    }
}
