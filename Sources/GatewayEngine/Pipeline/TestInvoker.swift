import Foundation
import GatewayModel
import NIOCore
import NIOHTTP1

/// What the console's Test button shows, as `TestInvokeMethod` returns it.
public struct TestInvokeResult: Sendable {
    public var status: Int
    public var latencyMillis: Int
    public var headers: [String: String]
    public var multiValueHeaders: [String: [String]]
    public var body: String
    public var log: String
}

/// The input of a Test invocation (of a method, or of an authorizer: the request it sees).
public struct TestInvokeRequest: Sendable {
    public var pathWithQueryString: String
    public var headers: [(String, String)]
    public var body: String?
    public var stageVariables: [String: String]

    public init(
        pathWithQueryString: String = "/", headers: [(String, String)] = [], body: String? = nil,
        stageVariables: [String: String] = [:]
    ) {
        self.pathWithQueryString = pathWithQueryString
        self.headers = headers
        self.body = body
        self.stageVariables = stageVariables
    }
}

extension RequestPipeline {
    /// Runs a method of an API's working copy the way the console's Test does: no deployment, no API key check,
    /// no throttling, no cache; the backend call is real and the execution log is written line by line.
    func testInvoke(
        definition: ApiDefinition, resourceId: String, httpMethod: String, input: TestInvokeRequest,
        on eventLoop: EventLoop
    ) -> EventLoopFuture<TestInvokeResult> {
        let started = NIODeadline.now()
        let requestId = RequestIds.requestId()
        let log = ExecutionLog()
        // An ANY method is test-invoked with whichever verb is asked for, as AWS does.
        let asked = httpMethod.uppercased()
        guard let resource = definition.resources.first(where: { $0.id == resourceId }),
            let method = resource.resourceMethods[asked] ?? resource.resourceMethods["ANY"]
        else {
            return eventLoop.makeFailedFuture(GatewayError.notFound("Invalid Method identifier specified"))
        }
        // Without a path the request is for the resource's own path (its template, as AWS logs it).
        let given = input.pathWithQueryString.isEmpty ? resource.path : input.pathWithQueryString
        let parts = given.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = RequestPath.normalized(parts.first ?? resource.path[...])
        var parameters: [String: String] = [:]
        var raw: [String: String] = [:]
        if let matched = RouteNode.build(definition.resources).match(path[...]), matched.resource.id == resource.id {
            parameters = matched.parameters
            raw = matched.raw
        } else if let bound = TestInvoker.bind(template: resource.path, to: path) {
            parameters = bound
        }
        var headers = HTTPHeaders()
        for (name, value) in input.headers { headers.add(name: name, value: value) }
        let verb = method.httpMethod == "ANY" && asked == "ANY" ? "GET" : asked
        let request = InvokeRequest(
            method: verb, path: path, query: parts.count > 1 ? String(parts[1]) : nil, headers: headers,
            body: input.body.map { ByteBuffer(string: $0) }, sourceIP: "test-invoke-source-ip")
        let context = RequestContext(
            requestId: requestId, extendedId: RequestIds.extendedId(), apiId: definition.api.id,
            stageName: "test-invoke-stage",
            resource: resource, method: method, request: request, pathParameters: parameters, rawPathParameters: raw,
            stageVariables: input.stageVariables, binaryMediaTypes: definition.api.binaryMediaTypes, log: log,
            started: started)
        log.add("Starting execution for request: \(requestId)")
        log.add("HTTP Method: \(verb), Resource Path: \(path)")
        log.add("Method request path: \(ExecutionLog.map(parameters.sorted { $0.key < $1.key }))")
        log.add("Method request query string: \(ExecutionLog.map(request.queryItems))")
        log.add("Method request headers: \(ExecutionLog.headers(input.headers))")
        log.add("Method request body before transformations: \(ExecutionLog.body(input.body ?? ""))")
        let (invalid, validationLine) = RequestValidation(definition).check(
            method, request, pathParameters: parameters)
        if let validationLine { log.add(validationLine) }
        let answered: EventLoopFuture<InvokeResponse>
        if let invalid {
            answered = eventLoop.makeSucceededFuture(
                testInvokeFailure(invalid, requestId: requestId, extendedId: context.extendedId))
        } else {
            answered = integrate(context, log: log, requestId: requestId, on: eventLoop)
        }
        return answered.map { response in
            log.add("Method completed with status: \(response.status)")
            var single: [String: String] = [:]
            var multi: [String: [String]] = [:]
            for (name, value) in response.headers where name != "x-amz-apigw-id" {
                single[name] = value
                multi[name, default: []].append(value)
            }
            return TestInvokeResult(
                status: response.status, latencyMillis: Int((NIODeadline.now() - started).nanoseconds / 1_000_000),
                headers: single, multiValueHeaders: multi, body: String(buffer: response.body),
                log: log.text(requestId: requestId))
        }
    }

    /// The integration of a Test invocation, logged; its failures become the gateway's answers.
    private func integrate(_ context: RequestContext, log: ExecutionLog, requestId: String, on eventLoop: EventLoop)
        -> EventLoopFuture<InvokeResponse>
    {
        let current = snapshot.withLockedValue { $0 }
        return integrations.run(context, snapshot: current, on: eventLoop).map { result -> InvokeResponse in
            var headers = result.headers
            if result.latency != nil { headers.replaceOrAdd(name: "X-Amzn-Trace-Id", value: context.traceId) }
            let binary = PayloadConversion.isBinary(
                headers.first(name: "Content-Type"), binaryMediaTypes: context.binaryMediaTypes)
            log.add("Method response body after transformations: \(ExecutionLog.body(result.body, binary: binary))")
            log.add("Method response headers: \(ExecutionLog.map(headers.map { ($0.name, $0.value) }))")
            log.add("Successfully completed execution")
            return InvokeResponse(status: result.status, headers: headers, body: result.body)
        }.flatMapErrorThrowing { error in
            let failure = error as? GatewayFailure ?? .configurationError
            return self.testInvokeFailure(failure, requestId: requestId, extendedId: context.extendedId)
        }
    }

    /// A gateway error as TestInvokeMethod reports it: the answer's status, body and error type, without the
    /// headers every served answer carries (AWS's recorded test invocations show only `x-amzn-ErrorType`).
    private func testInvokeFailure(_ kind: GatewayFailure, requestId: String, extendedId: String) -> InvokeResponse {
        var response = failure(kind, stage: nil, requestId: requestId, extendedId: extendedId)
        for name in ["Content-Type", "x-amzn-RequestId", "x-amz-apigw-id"] { response.headers.remove(name: name) }
        return response
    }
}

enum TestInvoker {
    /// Binds `/pets/{petId}` to `/pets/42` → `["petId": "42"]`; nil when the path does not fit the template.
    static func bind(template: String, to path: String) -> [String: String]? {
        let parts = PathRules.segments(template)
        let values = PathRules.segments(path)
        var bound: [String: String] = [:]
        for (index, part) in parts.enumerated() {
            if PathRules.isGreedy(part) {
                guard index < values.count else { return nil }
                bound[PathRules.variableName(part)!] = values[index...].joined(separator: "/")
                return bound
            }
            guard index < values.count else { return nil }
            if let name = PathRules.variableName(part) {
                bound[name] = values[index]
            } else if part != values[index] {
                return nil
            }
        }
        return parts.count == values.count ? bound : nil
    }
}
