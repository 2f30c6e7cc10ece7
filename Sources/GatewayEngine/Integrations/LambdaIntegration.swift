import Foundation
import GatewayModel
import NIOCore
import NIOHTTP1
import VTL

/// A JSON scalar a Lambda authorizer put in its `context`.
enum JSONScalar: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)

    var any: Any {
        switch self {
        case .string(let text): text
        case .integer(let number): number
        case .double(let number): number
        case .bool(let flag): flag
        }
    }

    /// As `$context.authorizer.NAME` renders it.
    var text: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        }
    }

    /// A value JSONSerialization read.
    init?(_ value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case let number as NSNumber:
            if JSONScalar.isBoolean(number) {
                self = .bool(number.boolValue)
            } else if JSONScalar.isInteger(number) {
                self = .integer(number.int64Value)
            } else {
                self = .double(number.doubleValue)
            }
        default: return nil
        }
    }

    /// JSONSerialization reads `true` and `false` as NSNumbers of type char.
    static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    static func isInteger(_ number: NSNumber) -> Bool {
        let type = String(cString: number.objCType)
        return type != "d" && type != "f"
    }
}

/// What a Lambda authorizer allowed a request with: `$context.authorizer.principalId`, its `context`, and the
/// API key it names when the API's key source is `AUTHORIZER`.
struct AuthorizerOutput: Sendable {
    var principalId: String?
    var context: [(String, JSONScalar)] = []
    var usageIdentifierKey: String?
    /// A Cognito user pool's token claims.
    var claims: [(String, String)]?
    var latencyMillis: Int = 0

    /// As the proxy event's `requestContext.authorizer` holds it.
    var eventObject: [String: Any] {
        var object: [String: Any] = [:]
        if let claims {
            object["claims"] = Dictionary(claims, uniquingKeysWith: { first, _ in first })
        } else {
            object["principalId"] = principalId ?? NSNull()
            for (name, value) in context { object[name] = value.any }
            object["integrationLatency"] = latencyMillis
        }
        return object
    }
}

/// API Gateway's Lambda proxy integration (payload format 1.0): the event it sends and the answer it takes.
enum LambdaProxy {
    /// The event for a request, field for field as API Gateway builds it.
    static func event(_ context: RequestContext) -> [String: Any] {
        let request = context.request
        var headers: [String: String] = [:]
        var multiHeaders: [String: [String]] = [:]
        var headerNames: [String: String] = [:]
        for (name, value) in request.headers {
            // One entry per name, spelled as the client first spelled it; the last value wins in `headers`.
            let spelled = headerNames[name.lowercased()] ?? name
            headerNames[name.lowercased()] = spelled
            headers[spelled] = value
            multiHeaders[spelled, default: []].append(value)
        }
        var query: [String: String] = [:]
        var multiQuery: [String: [String]] = [:]
        for (name, value) in request.queryItems {
            query[name] = value
            multiQuery[name, default: []].append(value)
        }
        let binary = PayloadConversion.isBinary(
            request.headers.first(name: "Content-Type"), binaryMediaTypes: context.binaryMediaTypes)
        var body: Any = NSNull()
        if let buffer = request.body, buffer.readableBytes > 0 {
            body = binary ? PayloadConversion.base64(buffer) : String(buffer: buffer)
        }
        func orNull<T>(_ value: [String: T]) -> Any { value.isEmpty ? NSNull() : value }
        return [
            "resource": context.resource.path, "path": request.path, "httpMethod": request.method,
            "headers": orNull(headers), "multiValueHeaders": orNull(multiHeaders),
            "queryStringParameters": orNull(query), "multiValueQueryStringParameters": orNull(multiQuery),
            "pathParameters": orNull(context.pathParameters), "stageVariables": orNull(context.stageVariables),
            "requestContext": requestContext(context), "body": body, "isBase64Encoded": binary && !(body is NSNull),
        ]
    }

    static func requestContext(_ context: RequestContext) -> [String: Any] {
        let request = context.request
        let now = Date()
        var identity: [String: Any] = [:]
        for name in [
            "cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "accessKey", "principalOrgId",
            "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "user",
        ] {
            identity[name] = NSNull()
        }
        identity["sourceIp"] = request.sourceIP
        if let accessKey = context.accessKey {
            identity["accessKey"] = accessKey
            identity["accountId"] = Region.accountId
        }
        identity["userAgent"] = request.headers.first(name: "User-Agent") ?? NSNull()
        if let key = context.apiKey {
            identity["apiKey"] = key
            identity["apiKeyId"] = context.apiKeyId ?? NSNull()
        }
        let host = request.headers.first(name: "Host") ?? "\(context.apiId).execute-api.us-east-1.amazonaws.com"
        var object: [String: Any] = [
            "accountId": Region.accountId, "apiId": context.apiId, "resourceId": context.resource.id,
            "resourcePath": context.resource.path, "httpMethod": request.method, "stage": context.stageName,
            "path": "/\(context.stageName)\(request.path)", "protocol": "HTTP/1.1", "requestId": context.requestId,
            "extendedRequestId": context.extendedId, "requestTime": MappingTemplates.requestTime(now),
            "requestTimeEpoch": Int64((now.timeIntervalSince1970 * 1000).rounded(.down)), "domainName": host,
            "domainPrefix": String(host.prefix { $0 != "." }), "identity": identity,
        ]
        if let authorizer = context.authorizer { object["authorizer"] = authorizer.eventObject }
        return object
    }

    /// An event as JSON, keys in order. Written here rather than by JSONSerialization, which takes 0.4–0.9 ms for
    /// one proxy event on Linux (most of a warm invocation's gateway side); strings are escaped by the writer
    /// mapping templates use.
    static func encode(_ object: Any) -> ByteBuffer {
        var out = ""
        out.reserveCapacity(1024)
        write(object, into: &out)
        return ByteBuffer(string: out)
    }

    private static func write(_ value: Any, into out: inout String) {
        switch value {
        case let text as String: Value.writeJSONString(text, into: &out, escapingSlash: false)
        case let flag as Bool: out += flag ? "true" : "false"
        case let number as Int: out += String(number)
        case let number as Int64: out += String(number)
        case let number as Double: out += number.isFinite ? String(number) : "null"
        case let map as [String: Any]:
            out += "{"
            for (index, entry) in map.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { out += "," }
                Value.writeJSONString(entry.key, into: &out, escapingSlash: false)
                out += ":"
                write(entry.value, into: &out)
            }
            out += "}"
        case let list as [Any]:
            out += "["
            for (index, element) in list.enumerated() {
                if index > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        default: out += "null"
        }
    }

    /// Why a function's answer is not a proxy response API Gateway can use; nil when it is.
    struct Malformed: Error {
        var reason: String
    }

    /// The method response a function's proxy answer makes: `statusCode` (a number or a numeric string; 200
    /// when absent), `headers` (scalars), `multiValueHeaders` (lists), `body` (a string, base64 when
    /// `isBase64Encoded`). Anything else is malformed, as AWS has it.
    static func response(_ payload: ByteBuffer) throws(Malformed) -> IntegrationResult {
        let data = Data(payload.readableBytesView)
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            let object = parsed as? [String: Any]
        else { throw Malformed(reason: "the answer is not a JSON object") }
        guard !object.isEmpty else { throw Malformed(reason: "the answer is an empty object") }
        let allowed: Set<String> = ["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]
        if let extra = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw Malformed(reason: "'\(extra)' is not a field of a proxy response")
        }
        var status = 200
        switch object["statusCode"] {
        case nil, is NSNull: break
        case let number as NSNumber
        where !JSONScalar.isBoolean(number) && number.doubleValue.rounded() == number.doubleValue:
            status = number.intValue
        case let text as String:
            guard let code = Int(text) else { throw Malformed(reason: "statusCode '\(text)' is not a number") }
            status = code
        default: throw Malformed(reason: "statusCode is not a number")
        }
        guard (100...599).contains(status) else {
            throw Malformed(reason: "statusCode \(status) is not an HTTP status")
        }
        var headers = HTTPHeaders()
        switch object["multiValueHeaders"] {
        case nil, is NSNull: break
        case let map as [String: Any]:
            for (name, values) in map.sorted(by: { $0.key < $1.key }) {
                guard let list = values as? [Any] else {
                    throw Malformed(reason: "multiValueHeaders.\(name) is not a list")
                }
                for value in list { headers.add(name: name, value: try scalar(value, at: "multiValueHeaders.\(name)")) }
            }
        default: throw Malformed(reason: "multiValueHeaders is not an object")
        }
        switch object["headers"] {
        case nil, is NSNull: break
        case let map as [String: Any]:
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                headers.replaceOrAdd(name: name, value: try scalar(value, at: "headers.\(name)"))
            }
        default: throw Malformed(reason: "headers is not an object")
        }
        var body = ByteBuffer()
        switch object["body"] {
        case nil, is NSNull: break
        case let text as String:
            if (object["isBase64Encoded"] as? Bool) == true {
                guard let decoded = PayloadConversion.decodeBase64(text) else {
                    throw Malformed(reason: "body is not base64 though isBase64Encoded is true")
                }
                body = decoded
            } else {
                body = ByteBuffer(string: text)
            }
        default: throw Malformed(reason: "body is not a string")
        }
        if headers.first(name: "Content-Type") == nil { headers.add(name: "Content-Type", value: "application/json") }
        return IntegrationResult(status: status, headers: headers, body: body, latency: nil)
    }

    private static func scalar(_ value: Any, at path: String) throws(Malformed) -> String {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            if JSONScalar.isBoolean(number) { return number.boolValue ? "true" : "false" }
            return number.stringValue
        default: throw Malformed(reason: "\(path) is not a string, number or boolean")
        }
    }

    /// A Lambda error payload's `errorMessage`.
    static func errorMessage(_ payload: ByteBuffer) -> String? {
        let data = Data(payload.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["errorMessage"] as? String
    }
}

extension IntegrationRunner {
    /// The endpoint line API Gateway logs for a Lambda call.
    static func lambdaEndpoint(_ function: String, region: String) -> String {
        "https://lambda.\(region).amazonaws.com/2015-03-31/functions/\(LambdaFunction.arn(function, region: region))/invocations"
    }

    /// An `AWS_PROXY` integration, or an `AWS` one whose URI invokes a Lambda function.
    func lambda(_ integration: Integration, _ context: RequestContext, on eventLoop: EventLoop)
        -> EventLoopFuture<IntegrationResult>
    {
        let uri = context.substitutingStageVariables(integration.uri ?? "")
        guard let name = LambdaFunction.name(fromInvocationUri: uri) else {
            context.log?.add(
                "Execution failed due to configuration error: \(integration.type.rawValue) integrations call Lambda functions only in Gatehouse: '\(uri)' is not a Lambda invocation URI"
            )
            return eventLoop.makeFailedFuture(GatewayFailure.configurationError)
        }
        let proxy = integration.type == .awsProxy
        let payload: ByteBuffer
        if proxy {
            payload = LambdaProxy.encode(LambdaProxy.event(context))
        } else {
            do {
                let transformed = try transformRequest(integration, context)
                payload = transformed.body ?? ByteBuffer()
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
        }
        let region = uri.split(separator: ":").dropFirst(3).first.map(String.init) ?? Region.default
        let endpoint = IntegrationRunner.lambdaEndpoint(name, region: region)
        context.log?.add("Endpoint request URI: \(endpoint)")
        context.log?.add(
            "Endpoint request headers: {x-amzn-lambda-integration-tag=\(context.requestId), x-amzn-apigateway-api-id=\(context.apiId), Accept=application/json, User-Agent=AmazonAPIGateway_\(context.apiId), X-Amzn-Trace-Id=\(context.traceId)}"
        )
        context.log?.add("Endpoint request body after transformations: \(ExecutionLog.body(payload, binary: false))")
        context.log?.add("Sending request to \(endpoint)")
        // A non-proxy answer: the integration response a function error's `errorMessage` selects (a success takes
        // the default), its templates over the function's payload.
        @Sendable func mapped(_ body: ByteBuffer, errorMessage: String?, latency: TimeAmount) throws
            -> IntegrationResult
        {
            let chosen = try selectResponse(
                integration, matching: errorMessage, context, subject: "Lambda errorMessage: \(errorMessage ?? "-")")
            var headers = HTTPHeaders()
            applyResponseParameters(chosen, backendHeaders: [:], body: body, into: &headers)
            return try respond(
                chosen, headers: headers, body: body, backendContentType: "application/json", latency: latency,
                context)
        }
        let sent = NIODeadline.now()
        let timeout = TimeAmount.milliseconds(Int64(integration.timeoutInMillis))
        let answer = eventLoop.makePromise(of: LambdaResult.self)
        let timer = eventLoop.scheduleTask(in: timeout) { answer.fail(GatewayFailure.integrationTimeout) }
        functions.invoke(name, payload: payload, requestId: context.requestId, on: eventLoop).whenComplete {
            timer.cancel()
            answer.completeWith($0)
        }
        return answer.futureResult.flatMapErrorThrowing { error in
            switch error {
            case GatewayFailure.integrationTimeout:
                context.log?.add("Execution failed due to a timeout error")
                throw GatewayFailure.integrationTimeout
            case LambdaInvokeError.notFound:
                context.log?.add(
                    "Execution failed due to configuration error: Function not found: \(LambdaFunction.arn(name, region: region)) (register it with gatehouse function add)"
                )
                throw GatewayFailure.configurationError
            case LambdaInvokeError.throttled:
                context.log?.add("Lambda invocation failed with status: 429. Lambda request id: \(context.requestId)")
                context.log?.add("Execution failed due to configuration error: Rate Exceeded.")
                throw GatewayFailure.configurationError
            default:
                context.log?.add("Lambda invocation failed: \(error)")
                throw GatewayFailure.badGateway
            }
        }.flatMapThrowing { result in
            let latency = NIODeadline.now() - sent
            let millis = latency.nanoseconds / 1_000_000
            switch result {
            case .success(let body):
                context.log?.add("Received response. Status: 200, Integration latency: \(millis) ms")
                context.log?.add(
                    "Endpoint response headers: {Content-Type=application/json, x-amzn-RequestId=\(context.requestId)}")
                context.log?.add(
                    "Endpoint response body before transformations: \(ExecutionLog.body(body, binary: false))")
                if proxy {
                    do throws(LambdaProxy.Malformed) {
                        var result = try LambdaProxy.response(body)
                        result.latency = latency
                        return result
                    } catch {
                        context.log?.add("Execution failed due to configuration error: Malformed Lambda proxy response")
                        context.log?.add("Malformed Lambda proxy response: \(error.reason)")
                        throw GatewayFailure.badGateway
                    }
                }
                return try mapped(body, errorMessage: nil, latency: latency)
            case .functionError(let body, let type):
                let message = LambdaProxy.errorMessage(body) ?? type
                context.log?.add("Received response. Status: 200, Integration latency: \(millis) ms")
                context.log?.add(
                    "Endpoint response body before transformations: \(ExecutionLog.body(body, binary: false))")
                if proxy {
                    context.log?.add(
                        "Lambda execution failed with status 200 due to customer function error: \(message). Lambda request id: \(context.requestId)"
                    )
                    throw GatewayFailure.badGateway
                }
                return try mapped(body, errorMessage: message, latency: latency)
            }
        }
    }
}
