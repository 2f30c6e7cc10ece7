import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import VTL

/// Mapping templates where API Gateway applies them: integration request templates (HTTP, MOCK), integration
/// response templates with their overrides, and gateway responses, evaluated with `$input`, `$util`, `$context`
/// and `$stageVariables` bound as API Gateway binds them.
enum MappingTemplates {
    /// Parsed templates by their text, so each is parsed once. Bounded: past 4,096 different texts it starts again.
    private static let parsed = NIOLockedValueBox<[String: Result<Template, TemplateSyntaxError>]>([:])

    static func template(_ source: String) -> Result<Template, TemplateSyntaxError> {
        if let known = parsed.withLockedValue({ $0[source] }) { return known }
        let result: Result<Template, TemplateSyntaxError>
        do {
            result = .success(try Template(source))
        } catch {
            result = .failure(error)
        }
        parsed.withLockedValue { cache in
            if cache.count >= 4096 { cache.removeAll() }
            cache[source] = result
        }
        return result
    }

    /// `Application/JSON; charset=utf-8` → `application/json`.
    static func mediaType(_ text: Substring) -> String {
        (text.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The request template for the request's content type (`application/json` when it has none), or nil.
    static func requestTemplate(_ templates: [String: String], contentType: String?) -> String? {
        guard !templates.isEmpty else { return nil }
        let type = contentType.map { mediaType($0[...]) } ?? "application/json"
        return templates.first { $0.key.lowercased() == type }?.value
    }

    /// The response template for what the client accepts: the first `Accept` type with a template, else
    /// `application/json`, else the first.
    static func responseTemplate(_ templates: [String: String], accept: String?) -> String? {
        guard !templates.isEmpty else { return nil }
        for part in (accept ?? "").split(separator: ",") {
            let type = mediaType(part)
            if let found = templates.first(where: { $0.key.lowercased() == type }) { return found.value }
        }
        return templates["application/json"] ?? templates.sorted { $0.key < $1.key }.first?.value
    }

    /// What a template set in `$context.responseOverride` / `$context.requestOverride`.
    struct Overrides {
        var status: Int?
        var responseHeaders: [(String, String)] = []
        var requestHeaders: [(String, String)] = []
        var requestPath: [(String, String)] = []
        var requestQuery: [(String, String)] = []
    }

    enum Phase {
        case request, response
    }

    /// Evaluates a template for a request; a template that fails to parse or evaluate is the configuration error
    /// API Gateway answers, with its execution-log line.
    static func evaluate(_ source: String, body: String, context: RequestContext, phase: Phase) throws(GatewayFailure)
        -> (output: String, overrides: Overrides)
    {
        guard source.utf8.count <= Integration.maximumTemplateSize else {
            context.log?.add("Execution failed due to configuration error: The mapping template is larger than 300 KB")
            throw .configurationError
        }
        let template: Template
        switch Self.template(source) {
        case .success(let parsed): template = parsed
        case .failure(let error):
            context.log?.add(
                "Execution failed due to configuration error: Unable to parse the \(phase == .request ? "request" : "response") template: \(error)"
            )
            throw .configurationError
        }
        var variables = MappingVariables(
            body: body, path: context.pathParameters.sorted { $0.key < $1.key },
            querystring: context.request.queryItems, header: context.request.headers.map { ($0.name, $0.value) },
            stageVariables: context.stageVariables.sorted { $0.key < $1.key })
        variables.contextMap = contextMap(context)
        variables.querystring = deduplicated(variables.querystring)
        variables.header = deduplicated(variables.header)
        let values = variables.values
        let output: String
        do {
            // An undefined stage variable renders as an empty string, as AWS answers (recorded in LocalStack's
            // test_invoking_canary_deployment).
            output = try template.render(values, quietRoots: ["stageVariables"])
        } catch {
            context.log?.add(
                "Execution failed due to configuration error: Unable to transform \(phase == .request ? "request" : "response"): \(error.message)"
            )
            throw .configurationError
        }
        return (output, overrides(values["context"]))
    }

    /// One value per name, the first, as `$input.params()` holds them.
    static func deduplicated(_ pairs: [(String, String)]) -> [(String, String)] {
        var seen = Set<String>()
        return pairs.filter { seen.insert($0.0).inserted }
    }

    /// `$context` for a request, as nested maps.
    static func contextMap(_ context: RequestContext) -> Value.MapBox {
        let request = context.request
        let now = Date()
        let identity = Value.MapBox([("sourceIp", .string(request.sourceIP))])
        if let agent = request.headers.first(name: "User-Agent") { identity.put("userAgent", .string(agent)) }
        if let key = context.apiKey ?? request.headers.first(name: "x-api-key") { identity.put("apiKey", .string(key)) }
        if let id = context.apiKeyId { identity.put("apiKeyId", .string(id)) }
        if let accessKey = context.accessKey {
            identity.put("accessKey", .string(accessKey))
            identity.put("accountId", .string(Region.accountId))
        }
        let map = Value.MapBox([
            ("requestId", .string(context.requestId)), ("extendedRequestId", .string(context.extendedId)),
            ("apiId", .string(context.apiId)), ("stage", .string(context.stageName)),
            ("resourceId", .string(context.resource.id)), ("resourcePath", .string(context.resource.path)),
            ("httpMethod", .string(request.method)), ("path", .string("/\(context.stageName)\(request.path)")),
            ("protocol", .string("HTTP/1.1")), ("requestTime", .string(requestTime(now))),
            ("requestTimeEpoch", .integer(Int64((now.timeIntervalSince1970 * 1000).rounded(.down)))),
            ("accountId", .string("123456789012")), ("identity", .map(identity)),
        ])
        if let canary = context.isCanaryRequest { map.put("isCanaryRequest", .bool(canary)) }
        if let host = request.headers.first(name: "Host") {
            map.put("domainName", .string(host))
            map.put("domainPrefix", .string(String(host.prefix { $0 != "." })))
        }
        if let authorizer = context.authorizer {
            // `$context.authorizer.principalId`, each context value (as text), a user pool's `claims`.
            let values = Value.MapBox([])
            if let principal = authorizer.principalId { values.put("principalId", .string(principal)) }
            for (name, value) in authorizer.context { values.put(name, .string(value.text)) }
            if let claims = authorizer.claims {
                values.put("claims", .map(Value.MapBox(claims.map { ($0.0, Value.string($0.1)) })))
            }
            map.put("authorizer", .map(values))
        }
        // Where a template may override the status and headers of the answer (and the request's headers).
        map.put("responseOverride", .map(Value.MapBox([("header", .map(Value.MapBox()))])))
        map.put(
            "requestOverride",
            .map(
                Value.MapBox([
                    ("header", .map(Value.MapBox())), ("path", .map(Value.MapBox())),
                    ("querystring", .map(Value.MapBox())),
                ])))
        return map
    }

    static func overrides(_ context: Value?) -> Overrides {
        var result = Overrides()
        guard case .map(let map)? = context else { return result }
        if case .map(let response)? = map["responseOverride"] {
            if let status = response["status"], let code = Int(status.rendered) { result.status = code }
            if case .map(let headers)? = response["header"] {
                result.responseHeaders = headers.pairs.map { ($0.0, $0.1.rendered) }
            }
        }
        if case .map(let request)? = map["requestOverride"] {
            func pairs(_ name: String) -> [(String, String)] {
                guard case .map(let values)? = request[name] else { return [] }
                return values.pairs.filter { !$0.1.isNull }.map { ($0.0, $0.1.rendered) }
            }
            result.requestHeaders = pairs("header")
            result.requestPath = pairs("path")
            result.requestQuery = pairs("querystring")
        }
        return result
    }

    /// `$context.requestTime`: `09/Apr/2015:12:34:56 +0000`, worked out from the epoch second (no calendar: it
    /// is made twice per templated request).
    static func requestTime(_ date: Date) -> String {
        let time = CivilDate.Time(date)
        return "\(CivilDate.two(time.day))/\(time.monthName)/\(time.year):\(time.clock(":")) +0000"
    }

    /// A gateway response's template, with `$context.error` and the request's ids; nil when it does not evaluate
    /// (the response then keeps API Gateway's default body).
    static func gatewayResponse(
        _ source: String, failure: GatewayFailure, requestId: String, extendedId: String, api: String?,
        stage: String?
    ) -> String? {
        guard case .success(let template) = Self.template(source) else { return nil }
        var messageString = ""
        Value.writeJSONString(failure.message, into: &messageString, escapingSlash: false)
        var context: [(String, Value)] = [
            ("requestId", .string(requestId)), ("extendedRequestId", .string(extendedId)),
            ("error.message", .string(failure.message)), ("error.messageString", .string(messageString)),
            ("error.responseType", .string(failure.responseType)),
        ]
        if case .badRequestParameters = failure {
            context.append(("error.validationErrorString", .string(failure.message)))
        } else if case .badRequestBody = failure {
            context.append(("error.validationErrorString", .string(failure.message)))
        }
        if let api { context.append(("apiId", .string(api))) }
        if let stage { context.append(("stage", .string(stage))) }
        return try? template.render(MappingVariables(context: context).values)
    }
}
