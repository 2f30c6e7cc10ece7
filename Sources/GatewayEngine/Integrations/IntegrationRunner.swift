import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What an integration answered, before the gateway's own headers are added.
struct IntegrationResult {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// How long the backend took, when one was called.
    var latency: TimeAmount?
}

/// Calls a method's integration: HTTP_PROXY and HTTP through a URL or a VPC link, or MOCK.
struct IntegrationRunner: Sendable {
    let upstream: UpstreamPool
    let links: VpcLinkDirectory
    let functions: FunctionHost

    /// Headers API Gateway drops from a client request before passing it on.
    static let droppedRequestHeaders = HeaderNameSet([
        "connection", "content-length", "content-md5", "expect", "max-forwards", "proxy-authenticate", "server",
        "te", "transfer-encoding", "trailer", "upgrade", "www-authenticate", "host", "keep-alive", "proxy-connection",
        "x-api-key", "via", "content-encoding",
    ])
    /// Headers the gateway sets on every integration request, whatever the client sent.
    static let ownRequestHeaders = HeaderNameSet(["x-amzn-apigateway-api-id", "x-amzn-trace-id"])
    static let userAgent = HeaderNameSet(["user-agent"])
    /// Headers a request parameter may not map: the framing is API Gateway's own (a mapping makes it a 500).
    static let unmappableRequestHeaders = HeaderNameSet(["content-length", "transfer-encoding"])
    /// Backend response headers API Gateway renames to `x-amzn-Remapped-<name>`.
    static let remappedResponseHeaders = HeaderNameSet(["connection", "content-length", "date", "server"])
    /// Backend response headers API Gateway drops.
    static let droppedResponseHeaders = HeaderNameSet(["transfer-encoding", "via", "keep-alive"])

    func run(_ context: RequestContext, snapshot: CompiledSnapshot?, on eventLoop: EventLoop) -> EventLoopFuture<
        IntegrationResult
    > {
        guard let integration = context.method.methodIntegration else {
            context.log?.add("Execution failed due to configuration error: No integration defined for method")
            return eventLoop.makeFailedFuture(GatewayFailure.configurationError)
        }
        switch integration.type {
        case .mock:
            return eventLoop.makeCompletedFuture { try mock(integration, context) }
        case .http, .httpProxy:
            return http(integration, context, snapshot: snapshot, on: eventLoop)
        case .aws, .awsProxy:
            return lambda(integration, context, on: eventLoop)
        }
    }

    // MARK: MOCK

    func mock(_ integration: Integration, _ context: RequestContext) throws -> IntegrationResult {
        var status = 200
        if let output = try transformRequest(integration, context).templateOutput {
            // A MOCK writes no endpoint request lines: there is no endpoint.
            guard let parsed = IntegrationRunner.statusCode(inTemplate: output) else {
                context.log?.add(
                    "Execution failed due to configuration error: Unable to parse statusCode. It should be an integer that is defined in the request template."
                )
                throw GatewayFailure.configurationError
            }
            status = parsed
        }
        let chosen = try selectResponse(integration, backendStatus: status, context)
        var headers = HTTPHeaders()
        applyResponseParameters(chosen, backendHeaders: [:], body: nil, into: &headers)
        return try respond(chosen, headers: headers, body: ByteBuffer(), backendContentType: nil, latency: nil, context)
    }

    /// What a non-proxy integration sends: the body, what the request template overrode, and the template's
    /// output when one ran.
    struct TransformedRequest {
        var body: ByteBuffer?
        var overrides = MappingTemplates.Overrides()
        var templateOutput: String?
    }

    /// The integration request of a non-proxy integration. A binary body (its Content-Type one of the API's
    /// `binaryMediaTypes`) reaches a template only as base64 text, under `CONVERT_TO_TEXT`, and otherwise passes
    /// through untransformed; `CONVERT_TO_BINARY` decodes the base64 text the template or the client gave.
    func transformRequest(_ integration: Integration, _ context: RequestContext) throws -> TransformedRequest {
        let source = try requestTemplate(integration, context)
        var result = TransformedRequest(body: context.request.body)
        if source == nil && integration.contentHandling == nil { return result }
        let payload = PayloadConversion.payload(
            context.request.body, contentType: context.request.headers.first(name: "Content-Type"),
            binaryMediaTypes: context.binaryMediaTypes, handling: integration.contentHandling)
        switch payload {
        case .binary:
            if source != nil {
                context.log?.add(
                    "Request body is binary (its Content-Type is one of the API's binary media types): passed through without a mapping template; CONVERT_TO_TEXT gives the template base64 text"
                )
            }
            return result
        case .text(let text, let converted):
            if let source {
                let (output, found) = try MappingTemplates.evaluate(
                    source, body: text, context: context, phase: .request)
                result.body = ByteBuffer(string: output)
                result.overrides = found
                result.templateOutput = output
            } else if converted {
                result.body = ByteBuffer(string: text)
            }
            if integration.contentHandling == .convertToBinary {
                guard let decoded = PayloadConversion.decodeBase64(result.body.map { String(buffer: $0) } ?? "")
                else {
                    context.log?.add(
                        "Execution failed due to configuration error: Unable to base64-decode the request body (the integration's contentHandling is CONVERT_TO_BINARY)"
                    )
                    throw GatewayFailure.configurationError
                }
                result.body = decoded
            }
            return result
        }
    }

    /// The request template that applies, nil when the body passes through; 415 when the passthrough behaviour
    /// refuses a request no template matches.
    func requestTemplate(_ integration: Integration, _ context: RequestContext) throws -> String? {
        guard !integration.requestTemplates.isEmpty else {
            if integration.passthroughBehavior == .never {
                context.log?.add("Request Content-Type not supported: no mapping template, passthrough NEVER")
                throw GatewayFailure.unsupportedMediaType
            }
            return nil
        }
        let contentType = context.request.headers.first(name: "Content-Type")
        if let source = MappingTemplates.requestTemplate(integration.requestTemplates, contentType: contentType) {
            return source
        }
        switch integration.passthroughBehavior ?? .whenNoMatch {
        case .whenNoMatch: return nil
        case .whenNoTemplates, .never:
            context.log?.add("Request body does not match any mapping template: Unsupported Media Type")
            throw GatewayFailure.unsupportedMediaType
        }
    }

    /// The method response of a non-proxy integration: the backend's body converted as the integration
    /// response's `contentHandling` says, the chosen template evaluated over it (text only: a binary body passes
    /// through), then `$context.responseOverride`; text decoded from base64 under `CONVERT_TO_BINARY`, or when
    /// the client's first `Accept` type is binary and no `contentHandling` is set.
    func respond(
        _ chosen: IntegrationResponse, headers: HTTPHeaders, body: ByteBuffer, backendContentType: String?,
        latency: TimeAmount?, _ context: RequestContext
    ) throws -> IntegrationResult {
        var headers = headers
        var status = Int(chosen.statusCode) ?? 200
        let accept = context.request.headers.first(name: "Accept")
        let source = MappingTemplates.responseTemplate(chosen.responseTemplates, accept: accept).flatMap {
            $0.isEmpty ? nil : $0
        }
        // A body a template wrote is JSON unless a header mapping says otherwise; one that passed through keeps
        // the backend's type.
        func finish(_ output: ByteBuffer, templated: Bool = false) -> IntegrationResult {
            if headers.first(name: "Content-Type") == nil {
                headers.add(
                    name: "Content-Type",
                    value: templated ? "application/json" : backendContentType ?? "application/json")
            }
            return IntegrationResult(status: status, headers: headers, body: output, latency: latency)
        }
        let acceptIsBinary =
            !context.binaryMediaTypes.isEmpty
            && PayloadConversion.isBinary(
                PayloadConversion.firstAccepted(accept), binaryMediaTypes: context.binaryMediaTypes)
        if source == nil && chosen.contentHandling == nil && !acceptIsBinary { return finish(body) }
        let payload = PayloadConversion.payload(
            body, contentType: backendContentType, binaryMediaTypes: context.binaryMediaTypes,
            handling: chosen.contentHandling)
        guard case .text(let text, let converted) = payload else { return finish(body) }
        var output = converted ? ByteBuffer(string: text) : body
        if let source {
            let (rendered, overrides) = try MappingTemplates.evaluate(
                source, body: text, context: context, phase: .response)
            output = ByteBuffer(string: rendered)
            if let override = overrides.status { status = override }
            for (name, value) in overrides.responseHeaders { headers.replaceOrAdd(name: name, value: value) }
        }
        if PayloadConversion.decodesText(handling: chosen.contentHandling, acceptIsBinary: acceptIsBinary) {
            guard let decoded = PayloadConversion.decodeBase64(String(buffer: output)) else {
                context.log?.add(
                    "Execution failed due to configuration error: Unable to base64-decode the response body ("
                        + (chosen.contentHandling == .convertToBinary
                            ? "the integration response's contentHandling is CONVERT_TO_BINARY"
                            : "the client accepts a binary media type") + ")")
                throw GatewayFailure.configurationError
            }
            output = decoded
        }
        return finish(output, templated: source != nil)
    }

    /// The status a MOCK request template's output picks: `{"statusCode": 200}`, also as the AWS CDK writes it,
    /// `{statusCode: 200}`.
    static func statusCode(inTemplate template: String) -> Int? {
        guard let range = template.range(of: "statusCode") else { return nil }
        var rest = template[range.upperBound...]
        if rest.first == "\"" || rest.first == "'" { rest = rest.dropFirst() }
        rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard rest.first == ":" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let digits = rest.prefix { $0.isNumber }
        return Int(digits)
    }

    // MARK: HTTP and HTTP_PROXY

    func http(
        _ integration: Integration, _ context: RequestContext, snapshot: CompiledSnapshot?, on eventLoop: EventLoop
    )
        -> EventLoopFuture<IntegrationResult>
    {
        let isProxy = integration.type == .httpProxy
        // A non-proxy request template runs first: its output is the body, and its overrides may change the
        // endpoint's path parameters and query string as well as the headers.
        var body: ByteBuffer? = context.request.body
        var overrides = MappingTemplates.Overrides()
        if !isProxy {
            do {
                let transformed = try transformRequest(integration, context)
                body = transformed.body
                overrides = transformed.overrides
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
        }
        let endpoint: Endpoint
        do {
            endpoint = try Endpoint(
                integration: integration, context: context, proxy: isProxy, overrides: overrides,
                fixed: integration.uri.flatMap { snapshot?.fixedEndpoints[$0] })
        } catch {
            context.log?.add("Execution failed due to configuration error: Invalid endpoint address")
            return eventLoop.makeFailedFuture(GatewayFailure.configurationError)
        }
        let address: (host: String, port: Int)
        if integration.connectionType == .vpcLink {
            let linkId = context.substitutingStageVariables(integration.connectionId ?? "")
            switch links.target(forLink: linkId, snapshot: snapshot) {
            case .success(let target): address = (target.host, target.port)
            case .failure(let reason):
                context.log?.add("Execution failed due to configuration error: \(reason.message)")
                return eventLoop.makeFailedFuture(reason.failure)
            }
        } else {
            address = (endpoint.host, endpoint.port)
        }
        var verb = (integration.httpMethod ?? "ANY").uppercased()
        if verb == "ANY" { verb = context.request.method }
        var headers = HTTPHeaders()
        headers.reserveCapacity(context.request.headers.count + 4)
        // The headers the gateway sets itself are left out of the copy, so that they can be added, not replaced.
        var hasUserAgent = false
        if isProxy {
            for (name, value) in context.request.headers where !IntegrationRunner.droppedRequestHeaders.contains(name) {
                if IntegrationRunner.ownRequestHeaders.contains(name) { continue }
                if !hasUserAgent, IntegrationRunner.userAgent.contains(name) { hasUserAgent = true }
                headers.add(name: name, value: value)
            }
        } else {
            // A non-proxy HTTP integration sends what its mappings name, and asks for JSON, as AWS does.
            headers.add(name: "Accept", value: "application/json")
        }
        var mappedHost = false
        var mapped = false
        for (key, source) in integration.requestParameters where key.hasPrefix("integration.request.header.") {
            let name = String(key.dropFirst("integration.request.header.".count))
            if IntegrationRunner.unmappableRequestHeaders.contains(name) {
                context.log?.add(
                    "Execution failed due to configuration error: the request parameter \(key) maps a header API Gateway sets itself"
                )
                return eventLoop.makeFailedFuture(GatewayFailure.configurationError)
            }
            if let values = context.values(of: source) {
                mapped = true
                headers.remove(name: name)
                for value in values { headers.add(name: name, value: value) }
                if name.lowercased() == "host" { mappedHost = true }
            }
        }
        if mapped {
            if !mappedHost { headers.replaceOrAdd(name: "Host", value: endpoint.hostHeader) }
            headers.replaceOrAdd(name: "x-amzn-apigateway-api-id", value: context.apiId)
            hasUserAgent = headers.first(name: "User-Agent") != nil
            headers.replaceOrAdd(name: "X-Amzn-Trace-Id", value: context.traceId)
        } else {
            headers.add(name: "Host", value: endpoint.hostHeader)
            headers.add(name: "x-amzn-apigateway-api-id", value: context.apiId)
            headers.add(name: "X-Amzn-Trace-Id", value: context.traceId)
        }
        if !hasUserAgent { headers.add(name: "User-Agent", value: "AmazonAPIGateway_\(context.apiId)") }
        for (name, value) in overrides.requestHeaders { headers.replaceOrAdd(name: name, value: value) }
        let request = UpstreamRequest(
            method: HTTPMethod(rawValue: verb), target: endpoint.pathAndQuery, headers: headers, body: body)
        if let log = context.log {
            // What is sent is binary when a binary body was not converted to text, or text was decoded.
            let sendsBinary =
                (PayloadConversion.isBinary(
                    context.request.headers.first(name: "Content-Type"), binaryMediaTypes: context.binaryMediaTypes)
                    && (isProxy || integration.contentHandling != .convertToText))
                || (!isProxy && integration.contentHandling == .convertToBinary)
            log.add("Endpoint request URI: \(endpoint.uri)")
            log.add("Endpoint request headers: \(ExecutionLog.headers(headers.map { ($0.name, $0.value) }))")
            log.add("Endpoint request body after transformations: \(ExecutionLog.body(body, binary: sendsBinary))")
            log.add("Sending request to \(endpoint.uri)")
        }
        let sent = NIODeadline.now()
        // One step for the answer or the failure, not a recovery and then a map: this runs for every proxied call.
        let finished = eventLoop.makePromise(of: IntegrationResult.self)
        upstream.execute(
            request, host: address.host, port: address.port, on: eventLoop,
            timeout: .milliseconds(Int64(integration.timeoutInMillis))
        ).whenComplete { result in
            switch result {
            case .failure(let error):
                switch error {
                case UpstreamError.timeout:
                    context.log?.add("Execution failed due to a timeout error")
                    finished.fail(GatewayFailure.integrationTimeout)
                case UpstreamError.responseTooLarge:
                    context.log?.add(
                        "Execution failed: the endpoint response is larger than the 10 MB API Gateway allows")
                    finished.fail(GatewayFailure.configurationError)
                default:
                    context.log?.add(
                        "Execution failed due to a network error communicating with endpoint (\(error))")
                    finished.fail(GatewayFailure.integrationFailure)
                }
            case .success(let response):
                let latency = NIODeadline.now() - sent
                if let log = context.log {
                    log.add(
                        "Received response. Status: \(response.status.code), Integration latency: \(latency.nanoseconds / 1_000_000) ms"
                    )
                    log.add(
                        "Endpoint response headers: \(ExecutionLog.map(response.headers.map { ($0.name, $0.value) }))")
                    log.add(
                        "Endpoint response body before transformations: \(ExecutionLog.body(response.body, binary: PayloadConversion.isBinary(response.headers.first(name: "Content-Type"), binaryMediaTypes: context.binaryMediaTypes)))"
                    )
                }
                if isProxy {
                    finished.succeed(proxyResult(response, latency: latency))
                } else {
                    finished.completeWith(
                        Result { try nonProxyResult(integration, response, latency: latency, context) })
                }
            }
        }
        return finished.futureResult
    }

    func proxyResult(_ response: UpstreamResponse, latency: TimeAmount) -> IntegrationResult {
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 4)
        for (name, value) in response.headers {
            if IntegrationRunner.droppedResponseHeaders.contains(name) { continue }
            if IntegrationRunner.remappedResponseHeaders.contains(name) {
                headers.add(name: "x-amzn-Remapped-\(name)", value: value)
            } else {
                headers.add(name: name, value: value)
            }
        }
        if headers.first(name: "Content-Type") == nil { headers.add(name: "Content-Type", value: "application/json") }
        return IntegrationResult(
            status: Int(response.status.code), headers: headers, body: response.body, latency: latency)
    }

    func nonProxyResult(
        _ integration: Integration, _ response: UpstreamResponse, latency: TimeAmount, _ context: RequestContext
    )
        throws -> IntegrationResult
    {
        let chosen = try selectResponse(integration, backendStatus: Int(response.status.code), context)
        var headers = HTTPHeaders()
        applyResponseParameters(chosen, backendHeaders: response.headers, body: response.body, into: &headers)
        return try respond(
            chosen, headers: headers, body: response.body,
            backendContentType: response.headers.first(name: "Content-Type"), latency: latency, context)
    }

    /// The integration response whose `selectionPattern` matches the backend status, else the default one.
    func selectResponse(_ integration: Integration, backendStatus: Int, _ context: RequestContext) throws
        -> IntegrationResponse
    {
        let status = String(backendStatus)
        if integration.integrationResponses.isEmpty, integration.type == .mock {
            return IntegrationResponse(statusCode: status)
        }
        return try selectResponse(
            integration, matching: status, context, subject: "Endpoint Response Status Code: \(status)")
    }

    /// The integration response whose `selectionPattern` matches `value` whole (a backend status, a Lambda
    /// function's `errorMessage`), else the default one (no pattern); nil `value` (a Lambda success) takes the
    /// default.
    func selectResponse(_ integration: Integration, matching value: String?, _ context: RequestContext, subject: String)
        throws -> IntegrationResponse
    {
        let responses = integration.integrationResponses.values.sorted { $0.statusCode < $1.statusCode }
        if let value {
            let range = NSRange(value.startIndex..., in: value)
            for response in responses {
                guard let pattern = response.selectionPattern, !pattern.isEmpty,
                    let regex = SelectionPatterns.regex("^(?:\(pattern))$")
                else { continue }
                if regex.firstMatch(in: value, range: range) != nil { return response }
            }
        }
        if let fallback = responses.first(where: { ($0.selectionPattern ?? "").isEmpty }) { return fallback }
        context.log?.add(
            "Execution failed due to configuration error: No match for output mapping and no default output mapping configured. \(subject)"
        )
        throw GatewayFailure.configurationError
    }

    /// Sets method response headers from an integration response's `responseParameters`.
    func applyResponseParameters(
        _ response: IntegrationResponse, backendHeaders: HTTPHeaders, body: ByteBuffer?, into headers: inout HTTPHeaders
    ) {
        for (key, source) in response.responseParameters where key.hasPrefix("method.response.header.") {
            let name = String(key.dropFirst("method.response.header.".count))
            var value: String?
            if source.hasPrefix("'") && source.hasSuffix("'") && source.count >= 2 {
                value = String(source.dropFirst().dropLast())
            } else if source.hasPrefix("integration.response.header.") {
                value = backendHeaders.first(name: String(source.dropFirst("integration.response.header.".count)))
            } else if source == "integration.response.body" {
                value = body.map { String(buffer: $0) }
            }
            if let value { headers.replaceOrAdd(name: name, value: value) }
        }
    }
}

/// An integration's endpoint URL with its path parameters and query filled in.
struct Endpoint {
    /// The whole URL, for the execution log.
    var uri: String { scheme + "://" + hostHeader + pathAndQuery }
    let scheme: String
    let host: String
    let port: Int
    let hostHeader: String
    let pathAndQuery: String

    init(
        integration: Integration, context: RequestContext, proxy: Bool,
        overrides: MappingTemplates.Overrides = MappingTemplates.Overrides(), fixed known: FixedEndpoint? = nil
    ) throws {
        let raw = integration.uri ?? ""
        // The common case, a URI with no variables and no mapped parameters, skips URL parsing (and, when the
        // snapshot has split it already, the splitting).
        if integration.requestParameters.isEmpty, overrides.requestPath.isEmpty, overrides.requestQuery.isEmpty,
            let fixed = known ?? FixedEndpoint.parse(raw)
        {
            var pathAndQuery = fixed.path
            if proxy, let clientQuery = context.request.query, !clientQuery.isEmpty {
                pathAndQuery += (fixed.path.utf8.contains(UInt8(ascii: "?")) ? "&" : "?") + clientQuery
            }
            self.host = fixed.host
            self.port = fixed.port
            self.hostHeader = fixed.hostHeader
            self.pathAndQuery = pathAndQuery
            self.scheme = fixed.scheme
            return
        }
        var template = context.substitutingStageVariables(raw)
        // {name} in the URI: the mapped integration path parameter, else the method's path parameter of that name,
        // encoded so that nothing in a value becomes a live `/` or dot-segment at the backend.
        var pathValues: [String: String] = [:]
        for (name, value) in context.pathParameters {
            pathValues[name] =
                context.rawPathParameters[name].map(RequestPath.forwardRaw)
                ?? RequestPath.forwardValue(value)
        }
        for (key, source) in integration.requestParameters where key.hasPrefix("integration.request.path.") {
            if let value = context.pathValue(of: source) {
                pathValues[String(key.dropFirst("integration.request.path.".count))] = value
            }
        }
        // `$context.requestOverride.path.NAME` from the request template wins, as one segment.
        for (name, value) in overrides.requestPath { pathValues[name] = RequestPath.forwardValue(value) }
        for (name, encoded) in pathValues {
            template = template.replacingOccurrences(of: "{\(name)}", with: encoded)
            template = template.replacingOccurrences(of: "{\(name)+}", with: encoded)
        }
        guard let components = URLComponents(string: template), let host = components.host,
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
        else { throw GatewayFailure.configurationError }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        var query: [String] = []
        if let existing = components.percentEncodedQuery, !existing.isEmpty { query.append(existing) }
        if proxy, let clientQuery = context.request.query, !clientQuery.isEmpty { query.append(clientQuery) }
        for (key, source) in integration.requestParameters.sorted(by: { $0.key < $1.key })
        where key.hasPrefix("integration.request.querystring.") {
            let name = String(key.dropFirst("integration.request.querystring.".count))
            for value in context.values(of: source) ?? [] {
                let encodedName = name.addingPercentEncoding(withAllowedCharacters: Endpoint.segmentCharacters) ?? name
                let encodedValue =
                    value.addingPercentEncoding(withAllowedCharacters: Endpoint.segmentCharacters) ?? value
                if !(proxy && context.request.query?.contains("\(encodedName)=") == true) {
                    query.append("\(encodedName)=\(encodedValue)")
                }
            }
        }
        // `$context.requestOverride.querystring.NAME` replaces that name's values.
        for (name, value) in overrides.requestQuery {
            let encodedName = name.addingPercentEncoding(withAllowedCharacters: Endpoint.segmentCharacters) ?? name
            let encodedValue = value.addingPercentEncoding(withAllowedCharacters: Endpoint.segmentCharacters) ?? value
            query = query.flatMap { part in
                part.split(separator: "&").map(String.init).filter {
                    !$0.hasPrefix(encodedName + "=") && $0 != encodedName
                }
            }
            query.append("\(encodedName)=\(encodedValue)")
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let pathAndQuery = query.isEmpty ? path : path + "?" + query.joined(separator: "&")
        self.host = host
        self.port = port
        self.hostHeader = components.port.map { "\(host):\($0)" } ?? host
        self.pathAndQuery = pathAndQuery
        self.scheme = scheme
    }

    static let segmentCharacters: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~!$'()*,;:@")
        return set
    }()
}

/// An endpoint URL without variables, split without Foundation: `http://host:port/path?query`.
struct FixedEndpoint: Sendable {
    var scheme: String
    var host: String
    var port: Int
    var hostHeader: String
    var path: String

    static func parse(_ uri: String) -> FixedEndpoint? {
        let bytes = uri.utf8
        guard !bytes.contains(UInt8(ascii: "{")), !bytes.contains(UInt8(ascii: "$")),
            !bytes.contains(UInt8(ascii: "%")),
            !bytes.contains(UInt8(ascii: "@")), !bytes.contains(UInt8(ascii: "#")), !bytes.contains(UInt8(ascii: " "))
        else { return nil }
        let scheme: String
        let rest: Substring
        if uri.hasPrefix("http://") {
            scheme = "http"
            rest = uri.dropFirst(7)
        } else if uri.hasPrefix("https://") {
            scheme = "https"
            rest = uri.dropFirst(8)
        } else {
            return nil
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.hasPrefix("[") else { return nil }
        var host = String(authority)
        var port = scheme == "https" ? 443 : 80
        if let colon = authority.lastIndex(of: ":") {
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                return nil
            }
            host = String(authority[..<colon])
            port = parsed
        }
        return FixedEndpoint(scheme: scheme, host: host, port: port, hostHeader: String(authority), path: path)
    }
}

/// Selection patterns compiled once each, not once per request. NSRegularExpression may be shared between
/// threads.
enum SelectionPatterns {
    private struct Compiled: @unchecked Sendable {
        var regex: NSRegularExpression?
    }

    private static let cache = NIOLockedValueBox<[String: Compiled]>([:])

    /// The whole-string regex of a selection pattern; nil when the pattern is not a regular expression.
    static func regex(_ pattern: String) -> NSRegularExpression? {
        if let known = cache.withLockedValue({ $0[pattern] }) { return known.regex }
        let compiled = Compiled(regex: try? NSRegularExpression(pattern: "^(?:\(pattern))$"))
        cache.withLockedValue { cache in
            if cache.count > 1024 { cache.removeAll() }
            cache[pattern] = compiled
        }
        return compiled.regex
    }
}
