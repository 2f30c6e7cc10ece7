import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One line of the access log.
public struct AccessLogEntry: Sendable {
    public var requestId: String
    public var apiId: String
    public var stage: String
    public var method: String
    public var path: String
    public var status: Int
    public var latencyMillis: Double
    /// `hit`, `miss` or nil when the method is not cached.
    public var cache: String?
    /// The API key, masked to its last six characters.
    public var apiKey: String?
    public var sourceIP: String
    /// Why the request was refused or failed (which key check, which limit or quota, the integration's error); nil
    /// when it was served.
    public var reason: String?
    /// What happened inside, when the engine records it (the console does): see `RequestDetail`.
    public var detail: RequestDetail?

    public init(
        requestId: String, apiId: String, stage: String, method: String, path: String, status: Int,
        latencyMillis: Double, cache: String? = nil, apiKey: String? = nil, sourceIP: String, reason: String? = nil,
        detail: RequestDetail? = nil
    ) {
        self.requestId = requestId
        self.apiId = apiId
        self.stage = stage
        self.method = method
        self.path = path
        self.status = status
        self.latencyMillis = latencyMillis
        self.cache = cache
        self.apiKey = apiKey
        self.sourceIP = sourceIP
        self.reason = reason
        self.detail = detail
    }

    /// `<id> <method> <path> <status> <latency>ms cache=<hit|miss|-> key=<****abcdef|-> ip=<address>`, then
    /// `reason="…"` for a refusal.
    public var line: String {
        // Put together by hand: `String(format:)` costs more than the rest of the line.
        let tenths = Int((max(0, latencyMillis) * 10).rounded())
        var text = requestId
        text.reserveCapacity(160)
        text += " " + method + " /" + stage + path + " " + String(status) + " "
        text += String(tenths / 10) + "." + String(tenths % 10) + "ms cache=" + (cache ?? "-")
        text += " key=" + (apiKey ?? "-") + " ip=" + sourceIP
        guard let reason else { return text }
        return text + " reason=\"" + reason.replacingOccurrences(of: "\"", with: "'") + "\""
    }
}

/// What a request went through, for the console's request view: what the client sent, the integration request the
/// engine sent and what came back (API Gateway's execution log lines), the cache key, and the limits on the way.
public struct RequestDetail: Sendable {
    /// The method request: headers as received (the key and `Authorization` masked) and the query string.
    public var headers: [(String, String)]
    public var query: String?
    /// The resource and method that matched.
    public var resource: String?
    /// The execution log: endpoint request URI, headers and body as sent, the response as received.
    public var execution: [String]
    public var cacheKey: String?
    /// The limits the request was held to, tightest first (`plan basic per key 100 rps, burst 200`).
    public var limits: [String]
    public var integrationLatencyMillis: Double?
}

/// Which answers a stage caches, and for how long: the one rule the engine serves by and the console's rules judge by.
public enum CachePolicy {
    /// The TTL in seconds when a method's answers are cached, else nil. With the stage cache on, GET methods are
    /// cached unless a setting turns them off; other methods only when their own setting says so.
    public static func ttl(cacheEnabled: Bool, own: MethodSetting?, all: MethodSetting?, httpMethod: String) -> Int? {
        guard cacheEnabled else { return nil }
        let enabled =
            httpMethod == "GET"
            ? own?.cachingEnabled ?? all?.cachingEnabled ?? true
            : own?.cachingEnabled ?? false
        let ttl = own?.cacheTtlInSeconds ?? all?.cacheTtlInSeconds ?? 300
        return enabled && ttl > 0 ? ttl : nil
    }
}

/// The request pipeline of API Gateway: route → API key → throttle and quota → cache → integration → response.
final class RequestPipeline: Sendable {
    let snapshot: NIOLockedValueBox<CompiledSnapshot>
    let throttles = ThrottleRegistry()
    let quotas: QuotaLedger
    let caches = NIOLockedValueBox<[String: ResponseCache]>([:])
    /// Told of each cached answer a request invalidated (`Cache-Control: max-age=0`): api, stage, cache key.
    let invalidationHook = NIOLockedValueBox<(@Sendable (String, String, String) -> Void)?>(nil)
    let authorizerCache = AuthorizerCache()
    let metrics = NIOLockedValueBox<[String: StageMetrics]>([:])
    let integrations: IntegrationRunner
    /// Where the state's stored quota counts are read, off the event loops.
    let blocking: NIOThreadPool
    let accessLog: (@Sendable (AccessLogEntry) -> Void)?
    /// Whether each request keeps an execution log and its access log entry a `RequestDetail` (for the console;
    /// `serve` does not pay for it).
    let recordsDetails: Bool
    /// The access keys whose signatures `AWS_IAM` methods accept.
    let signingCredentials: [SigV4.Credentials]

    init(
        upstream: UpstreamPool, links: VpcLinkDirectory, functions: FunctionHost, quotas: QuotaLedger,
        blocking: NIOThreadPool, accessLog: (@Sendable (AccessLogEntry) -> Void)?, recordsDetails: Bool = false,
        signingCredentials: [SigV4.Credentials] = []
    ) {
        self.signingCredentials = signingCredentials
        self.recordsDetails = recordsDetails && accessLog != nil
        self.blocking = blocking
        snapshot = NIOLockedValueBox(CompiledSnapshot(EngineConfiguration()))
        integrations = IntegrationRunner(upstream: upstream, links: links, functions: functions)
        self.quotas = quotas
        self.accessLog = accessLog
    }

    static func stageKey(_ api: String, _ stage: String) -> String { api + "/" + stage }

    /// The cache of a stage, made (or remade, when its budget changed) on demand.
    func cache(for stage: CompiledStage) -> ResponseCache {
        caches.withLockedValue { caches in
            // A canary that does not use the stage's cache has one of its own.
            let key =
                RequestPipeline.stageKey(stage.apiId, stage.stageName) + (stage.usesStageCache ? "" : "#canary")
            if let cache = caches[key], cache.budget == stage.cacheBudget { return cache }
            let cache = ResponseCache(budget: stage.cacheBudget)
            caches[key] = cache
            return cache
        }
    }

    func stageMetrics(_ api: String, _ stage: String) -> StageMetrics {
        metrics.withLockedValue { metrics in
            let key = RequestPipeline.stageKey(api, stage)
            if let existing = metrics[key] { return existing }
            let created = StageMetrics()
            metrics[key] = created
            return created
        }
    }

    // MARK: Serving

    /// Serves a request on a deployed stage.
    /// - Parameter loadingQuotas: read a key's stored quota count first when it is not in memory (false on the
    ///   second pass, so a failed read cannot loop).
    /// A request served again after an asynchronous step (a Lambda authorizer, a quota read): its ids, its start,
    /// and what its authorizer allowed it with.
    struct Resumed {
        var requestId: String
        var extendedId: String
        var started: NIODeadline
        var authorizer: AuthorizerOutput?
    }

    func serve(
        _ request: InvokeRequest, api apiId: String, stage stageName: String, on eventLoop: EventLoop,
        loadingQuotas: Bool = true, resumed: Resumed? = nil
    )
        -> EventLoopFuture<InvokeResponse>
    {
        let started = resumed?.started ?? NIODeadline.now()
        let requestId = resumed?.requestId ?? RequestIds.requestId()
        let extendedId = resumed?.extendedId ?? RequestIds.extendedId()
        let current = snapshot.withLockedValue { $0 }
        let found = current.stage(api: apiId, name: stageName)?.serving()
        guard let stage = found, let route = stage.routes.match(request.path[...], method: request.method),
            let resource = route.resource,
            let method = resource.resourceMethods[request.method] ?? resource.resourceMethods["ANY"]
        else {
            let response = failure(
                .missingAuthenticationToken, stage: found, requestId: requestId, extendedId: extendedId)
            finish(
                request, response, api: apiId, stage: stageName, metrics: found?.metrics, started: started,
                outcome: (nil, false, nil, nil), requestId: requestId,
                reason: found == nil
                    ? "no stage \(stageName) is deployed" : "no method matches \(request.method) \(request.path)")
            return eventLoop.makeSucceededFuture(response)
        }
        let context = RequestContext(
            requestId: requestId, extendedId: extendedId, apiId: apiId, stageName: stageName, resource: resource,
            method: method, request: request, pathParameters: route.parameters, rawPathParameters: route.raw,
            stageVariables: stage.variables, binaryMediaTypes: stage.api.binaryMediaTypes,
            log: recordsDetails ? ExecutionLog() : nil,
            started: started)
        context.authorizer = resumed?.authorizer
        if stage.isCanary || stage.canary != nil { context.isCanaryRequest = stage.isCanary }
        let methodKey = stage.settingKey(resource, method.httpMethod)

        // Authorization (IAM, Lambda or Cognito authorizer) comes before the API key.
        if method.authorizationType != .none,
            let denied = Authorization.failure(
                for: method, stage: stage, request: request, credentials: signingCredentials)
        {
            let response = failure(denied, stage: stage, requestId: requestId, extendedId: extendedId)
            finish(
                request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                outcome: (methodKey, false, nil, nil), requestId: requestId,
                reason: "\(method.authorizationType.rawValue) authorization: \(denied.message)", context: context)
            return eventLoop.makeSucceededFuture(response)
        }
        if method.authorizationType == .awsIam {
            context.accessKey = SigV4.accessKeyId(authorization: request.headers.first(name: "Authorization"))
        }
        // A user pool token is verified here and now: no function runs.
        if resumed?.authorizer == nil, method.authorizationType == .cognitoUserPools, let id = method.authorizerId,
            let compiled = stage.authorizers[id]
        {
            switch verifyUserPoolToken(compiled, method: method, context: context, snapshot: current) {
            case .success(let output): context.authorizer = output
            case .failure(let refusal):
                let response = failure(refusal.failure, stage: stage, requestId: requestId, extendedId: extendedId)
                finish(
                    request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                    outcome: (methodKey, false, nil, nil), requestId: requestId,
                    reason: "Cognito authorizer \(compiled.authorizer.name): \(refusal.reason)", context: context)
                return eventLoop.makeSucceededFuture(response)
            }
        }
        // A Lambda authorizer runs (or its cached answer is used), then the request is served on with what it allowed.
        if resumed?.authorizer == nil, method.authorizationType == .custom, let id = method.authorizerId,
            let compiled = stage.authorizers[id]
        {
            return authorize(compiled, context, on: eventLoop).flatMap { outcome in
                switch outcome {
                case .success(let output):
                    return self.serve(
                        request, api: apiId, stage: stageName, on: eventLoop, loadingQuotas: loadingQuotas,
                        resumed: Resumed(
                            requestId: requestId, extendedId: extendedId, started: started, authorizer: output))
                case .failure(let refusal):
                    let response = self.failure(
                        refusal.failure, stage: stage, requestId: requestId, extendedId: extendedId)
                    self.finish(
                        request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                        outcome: (methodKey, false, nil, nil), requestId: requestId,
                        reason: "Lambda authorizer \(compiled.authorizer.name): \(refusal.reason)", context: context)
                    return eventLoop.makeSucceededFuture(response)
                }
            }
        }

        // API key and usage plan.
        var maskedKey: String?
        if method.apiKeyRequired {
            // With the API's key source AUTHORIZER, the key is the one the Lambda authorizer named.
            let value =
                stage.api.apiKeySource == .authorizer
                ? context.authorizer?.usageIdentifierKey : request.headers.first(name: "x-api-key")
            let key = value.flatMap { current.keysByValue[$0] }
            guard let value, let key, RequestPipeline.constantTimeEqual(key.value, value), key.enabled,
                let covering = key.plans[StageRef(apiId: apiId, stage: stageName)]
            else {
                let reason =
                    value == nil
                    ? "no API key (the method requires an x-api-key header)"
                    : key == nil
                        ? "unknown API key"
                        : key?.enabled == false
                            ? "API key disabled" : "API key in no usage plan for stage \(stageName)"
                let response = failure(.invalidApiKey, stage: stage, requestId: requestId, extendedId: extendedId)
                finish(
                    request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                    outcome: (methodKey, false, nil, nil), requestId: requestId, key: value.map(ApiKey.mask),
                    reason: reason, context: context)
                return eventLoop.makeSucceededFuture(response)
            }
            maskedKey = ApiKey.mask(value)
            context.apiKey = value
            context.apiKeyId = key.id
            // A key's stored quota count is read once per period, on the blocking thread; then the request is
            // served from the start with it in memory.
            let quotaDates = covering.quota.map { QuotaLedger.dates($0.period, now: Date()) }
            if loadingQuotas, let quotaDates,
                !quotas.isLoaded(plan: covering.id, key: key.id, limit: covering.quota?.limit ?? .max, quotaDates)
            {
                let quotas = self.quotas
                return blocking.runIfActive(eventLoop: eventLoop) {
                    quotas.load(plan: covering.id, key: key.id, limit: covering.quota?.limit ?? .max, quotaDates)
                }.recover { _ in }.flatMap {
                    self.serve(
                        request, api: apiId, stage: stageName, on: eventLoop, loadingQuotas: false,
                        resumed: Resumed(
                            requestId: requestId, extendedId: extendedId, started: started,
                            authorizer: context.authorizer))
                }
            }
            let now = NIODeadline.now().uptimeNanoseconds
            if let (throttleKey, settings) = covering.throttle(
                resourcePath: resource.path, httpMethod: method.httpMethod)
            {
                let limit = {
                    "plan \(covering.name) \(throttleKey == "*" ? "per key" : "per method") limit "
                        + RequestPipeline.describe(settings)
                }
                if recordsDetails { context.limits.append(limit()) }
                if !throttles.take(
                    "plan|\(covering.id)|\(key.id)|\(apiId)|\(stageName)|\(throttleKey)", settings: settings, now: now)
                {
                    return throttled(
                        .throttled, request, stage: stage, methodKey: methodKey, key: maskedKey, context: context,
                        on: eventLoop, reason: limit())
                }
            }
            if let quota = covering.quota, let quotaDates {
                let limit = { "plan \(covering.name) quota \(quota.limit) per \(quota.period.rawValue)" }
                if recordsDetails { context.limits.append(limit()) }
                if !quotas.take(plan: covering.id, key: key.id, limit: quota.limit, quotaDates, now: now) {
                    return throttled(
                        .quotaExceeded, request, stage: stage, methodKey: methodKey, key: maskedKey, context: context,
                        on: eventLoop, reason: limit())
                }
            }
        }

        // Stage and account throttling.
        let setting = stage.setting(key: methodKey)
        let now = NIODeadline.now().uptimeNanoseconds
        if let setting {
            let settings = ThrottleSettings(
                burstLimit: setting.throttlingBurstLimit, rateLimit: setting.throttlingRateLimit)
            let limit = {
                "\(stage.methodSettings[methodKey] == nil ? "stage" : "method") limit "
                    + RequestPipeline.describe(settings)
            }
            if recordsDetails { context.limits.append(limit()) }
            if !throttles.take("stage|\(apiId)|\(stageName)|\(methodKey)", settings: settings, now: now) {
                return throttled(
                    .throttled, request, stage: stage, methodKey: methodKey, key: maskedKey, context: context,
                    on: eventLoop, reason: limit())
            }
        }
        let accountLimit = { "account limit " + RequestPipeline.describe(current.accountThrottle) }
        if recordsDetails { context.limits.append(accountLimit()) }
        if !throttles.take("account", settings: current.accountThrottle, now: now) {
            return throttled(
                .throttled, request, stage: stage, methodKey: methodKey, key: maskedKey, context: context,
                on: eventLoop, reason: accountLimit())
        }

        // Method request validation.
        if method.requestValidatorId != nil,
            let invalid = stage.validation.check(method, request, pathParameters: route.parameters).failure
        {
            let response = failure(invalid, stage: stage, requestId: requestId, extendedId: extendedId)
            finish(
                request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                outcome: (methodKey, false, nil, nil), requestId: requestId, key: maskedKey,
                reason: "request validation: \(invalid.message)", context: context)
            return eventLoop.makeSucceededFuture(response)
        }

        // Cache.
        let caching = RequestPipeline.caching(stage: stage, settingKey: methodKey, method: method)
        var cacheKey: String?
        var cacheUse: RequestOutcome.CacheUse?
        if caching != nil {
            let key = RequestPipeline.cacheKey(context)
            let cache = cache(for: stage)
            let invalidate = request.headers.first(name: "Cache-Control")?.lowercased().contains("max-age=0") == true
            var warning: String?
            if invalidate {
                if setting?.requireAuthorizationForCacheControl ?? true {
                    switch setting?.unauthorizedCacheControlHeaderStrategy ?? .succeedWithResponseHeader {
                    case .failWith403:
                        let response = failure(
                            .cacheControlForbidden, stage: stage, requestId: requestId, extendedId: extendedId)
                        finish(
                            request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                            outcome: (methodKey, false, nil, nil), requestId: requestId, key: maskedKey,
                            reason: "Cache-Control: max-age=0 without permission to invalidate the cache",
                            context: context)
                        return eventLoop.makeSucceededFuture(response)
                    case .succeedWithResponseHeader:
                        warning = "199 - \"Cache-Control header ignored: not authorized to invalidate the cache\""
                    case .succeedWithoutResponseHeader:
                        break
                    }
                } else {
                    cache.invalidate(key)
                    invalidationHook.withLockedValue { $0 }?(apiId, stageName, key)
                }
            }
            if let hit = cache.lookup(key, now: NIODeadline.now().uptimeNanoseconds) {
                var headers = HTTPHeaders(hit.headers)
                if let warning { headers.add(name: "Warning", value: warning) }
                let response = decorate(
                    status: hit.status, headers: headers, body: hit.body, requestId: requestId, extendedId: extendedId)
                context.cacheKey = key
                finish(
                    request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                    outcome: (methodKey, false, .hit, nil), requestId: requestId, key: maskedKey, context: context)
                return eventLoop.makeSucceededFuture(response)
            }
            cacheKey = key
            context.cacheKey = key
            cacheUse = .miss
        }
        let (storeKey, lookedUp, key) = (cacheKey, cacheUse, maskedKey)

        // One step for the answer or the failure: this runs for every request that reaches an integration.
        let answered = eventLoop.makePromise(of: InvokeResponse.self)
        integrations.run(context, snapshot: current, on: eventLoop).whenComplete { outcome in
            switch outcome {
            case .success(let result):
                answered.succeed(
                    self.answer(
                        result, request, stage: stage, context: context, methodKey: methodKey, caching: caching,
                        storeKey: storeKey, lookedUp: lookedUp, key: key))
            case .failure(let error):
                let failure = error as? GatewayFailure ?? .configurationError
                let response = self.failure(failure, stage: stage, requestId: requestId, extendedId: extendedId)
                let logged = context.log?.lines.last { $0.contains("Execution failed") }.map {
                    String($0[($0.range(of: " : ")?.upperBound ?? $0.startIndex)...])
                }
                self.finish(
                    request, response, api: apiId, stage: stageName, metrics: stage.metrics, started: started,
                    outcome: (methodKey, false, lookedUp, nil), requestId: requestId, key: key,
                    reason: logged ?? RequestPipeline.describe(failure, integration: method.methodIntegration),
                    context: context)
                answered.succeed(response)
            }
        }
        return answered.futureResult
    }

    /// The answer to a request its integration answered: stored in the cache when it may be, with the gateway's
    /// headers, counted and logged.
    private func answer(
        _ result: IntegrationResult, _ request: InvokeRequest, stage: CompiledStage, context: RequestContext,
        methodKey: String, caching: Int?, storeKey: String?, lookedUp: RequestOutcome.CacheUse?, key: String?
    ) -> InvokeResponse {
        if let storeKey, let ttl = caching, (200..<300).contains(result.status) {
            let expires = NIODeadline.now().uptimeNanoseconds + UInt64(ttl) * 1_000_000_000
            cache(for: stage).store(
                storeKey,
                CachedResponse(
                    status: result.status, headers: result.headers.map { ($0.name, $0.value) }, body: result.body,
                    expires: expires))
        }
        var headers = result.headers
        // A trace id only when an endpoint was called: AWS adds none to a MOCK's answer.
        if result.latency != nil { headers.replaceOrAdd(name: "X-Amzn-Trace-Id", value: context.traceId) }
        let response = decorate(
            status: result.status, headers: headers, body: result.body, requestId: context.requestId,
            extendedId: context.extendedId)
        finish(
            request, response, api: context.apiId, stage: context.stageName, metrics: stage.metrics,
            started: context.started, outcome: (methodKey, false, lookedUp, result.latency),
            requestId: context.requestId, key: key,
            reason: result.status >= 500 ? "the integration answered \(result.status)" : nil, context: context)
        return response
    }

    private func throttled(
        _ kind: GatewayFailure, _ request: InvokeRequest, stage: CompiledStage, methodKey: String, key: String?,
        context: RequestContext, on eventLoop: EventLoop, reason: String
    ) -> EventLoopFuture<InvokeResponse> {
        let response = failure(kind, stage: stage, requestId: context.requestId, extendedId: context.extendedId)
        finish(
            request, response, api: stage.apiId, stage: stage.stageName, metrics: stage.metrics,
            started: context.started,
            outcome: (methodKey, true, nil, nil), requestId: context.requestId, key: key, reason: reason,
            context: context)
        return eventLoop.makeSucceededFuture(response)
    }

    /// A throttle as the access log names it: `100 rps, burst 200`.
    static func describe(_ settings: ThrottleSettings) -> String {
        let rate =
            settings.rateLimit == settings.rateLimit.rounded() && settings.rateLimit < 1e15
            ? String(Int(settings.rateLimit)) : String(settings.rateLimit)
        return "\(rate) rps, burst \(settings.burstLimit)"
    }

    /// Why an integration failed, when no execution log says more.
    static func describe(_ failure: GatewayFailure, integration: Integration?) -> String {
        switch failure {
        case .integrationTimeout:
            return "the integration timed out after \(integration?.timeoutInMillis ?? Integration.defaultTimeout) ms"
        case .integrationFailure: return "the integration's endpoint could not be reached"
        default: return "\(failure.errorType): \(failure.message)"
        }
    }

    /// Counts the request in the stage's metrics and writes its access log line.
    private func finish(
        _ request: InvokeRequest, _ response: InvokeResponse, api: String, stage: String, metrics: StageMetrics?,
        started: NIODeadline,
        outcome: (methodKey: String?, throttled: Bool, cache: RequestOutcome.CacheUse?, integration: TimeAmount?),
        requestId: String, key: String? = nil, reason: String? = nil, context: RequestContext? = nil
    ) {
        let latency = NIODeadline.now() - started
        let recorded = RequestOutcome(
            status: response.status, throttled: outcome.throttled, cache: outcome.cache,
            latencyMicros: Int(latency.nanoseconds / 1000),
            integrationLatencyMicros: outcome.integration.map { Int($0.nanoseconds / 1000) })
        metrics?.record(recorded, method: outcome.methodKey)
        if let accessLog {
            var detail: RequestDetail?
            if recordsDetails {
                detail = RequestDetail(
                    headers: request.headers.map { name, value in
                        let lower = name.lowercased()
                        return (name, lower == "x-api-key" || lower == "authorization" ? ApiKey.mask(value) : value)
                    },
                    query: request.query, resource: context.map { "\($0.method.httpMethod) \($0.resource.path)" },
                    execution: context?.log?.lines ?? [], cacheKey: context?.cacheKey, limits: context?.limits ?? [],
                    integrationLatencyMillis: outcome.integration.map { Double($0.nanoseconds) / 1e6 })
            }
            accessLog(
                AccessLogEntry(
                    requestId: requestId, apiId: api, stage: stage, method: request.method, path: request.path,
                    status: response.status, latencyMillis: Double(latency.nanoseconds) / 1e6,
                    cache: outcome.cache.map { $0 == .hit ? "hit" : "miss" }, apiKey: key, sourceIP: request.sourceIP,
                    reason: reason, detail: detail))
        }
    }

    // MARK: Responses

    /// A gateway error as API Gateway answers it, with the API's own gateway response when it has one.
    func failure(_ kind: GatewayFailure, stage: CompiledStage?, requestId: String, extendedId: String) -> InvokeResponse
    {
        var status = kind.status
        var body = kind.body
        var headers: HTTPHeaders = ["Content-Type": "application/json", "x-amzn-ErrorType": kind.errorType]
        let family = kind.status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX"
        if let custom = stage?.gatewayResponses[kind.responseType] ?? stage?.gatewayResponses[family] {
            if let code = custom.statusCode.flatMap(Int.init) { status = code }
            if let template = custom.responseTemplates["application/json"] ?? custom.responseTemplates.values.first,
                let rendered = MappingTemplates.gatewayResponse(
                    template, failure: kind, requestId: requestId, extendedId: extendedId, api: stage?.apiId,
                    stage: stage?.stageName)
            {
                body = rendered
            }
            for (key, value) in custom.responseParameters where key.hasPrefix("gatewayresponse.header.") {
                let name = String(key.dropFirst("gatewayresponse.header.".count))
                if value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2 {
                    headers.replaceOrAdd(name: name, value: String(value.dropFirst().dropLast()))
                }
            }
        }
        return decorate(
            status: status, headers: headers, body: ByteBuffer(string: body), requestId: requestId,
            extendedId: extendedId)
    }

    /// Adds the headers every API Gateway response carries.
    func decorate(status: Int, headers: HTTPHeaders, body: ByteBuffer, requestId: String, extendedId: String)
        -> InvokeResponse
    {
        var headers = headers
        headers.replaceOrAdd(name: "x-amzn-RequestId", value: requestId)
        headers.replaceOrAdd(name: "x-amz-apigw-id", value: extendedId)
        if headers.first(name: "Content-Type") == nil { headers.add(name: "Content-Type", value: "application/json") }
        return InvokeResponse(status: status, headers: headers, body: body)
    }

    // MARK: Rules

    /// The TTL in seconds when this method's responses are cached on the stage, else nil. With the stage cache on,
    /// GET methods are cached unless a setting turns them off; other methods only when their own setting says so.
    static func caching(stage: CompiledStage, settingKey: String, method: Method) -> Int? {
        CachePolicy.ttl(
            cacheEnabled: stage.cacheEnabled, own: stage.methodSettings[settingKey],
            all: stage.methodSettings[MethodSetting.allMethodsKey], httpMethod: method.httpMethod)
    }

    /// The cache key: the namespace (default the resource id), the method, and the values of the integration's
    /// cache key parameters; other parameters do not count, as on API Gateway.
    static func cacheKey(_ context: RequestContext) -> String {
        let integration = context.method.methodIntegration
        var key =
            (integration?.cacheNamespace ?? context.resource.id) + "|" + context.method.httpMethod + "|"
            + context.resource.path
        for parameter in (integration?.cacheKeyParameters ?? []).sorted() {
            key += "|" + parameter + "=" + (context.values(of: parameter)?.joined(separator: ",") ?? "")
        }
        return key
    }

    /// Compares two strings in time that does not depend on where they differ.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
