import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The data plane: serves deployed stages over HTTP on loopback as API Gateway serves them on the internet.
///
/// The control plane hands it an `EngineConfiguration` after every change (`publish`); the engine compiles it
/// into an immutable snapshot and swaps it in, so requests in flight finish on the one they started with and
/// the next request sees the change. Token buckets, quota counts, caches and metrics live beside the
/// snapshots and survive a swap.
public final class GatewayEngine: Sendable {
    let group: EventLoopGroup
    private let ownsGroup: Bool
    let upstream: UpstreamPool
    let links: VpcLinkDirectory
    let health: HealthChecker
    let pipeline: RequestPipeline
    let quotas: QuotaLedger
    let functions: FunctionHost
    /// A thread for the blocking work (the state's quota counts) that must not run on an event loop.
    let blocking: NIOThreadPool
    let control = ControlHook()
    private let server = NIOLockedValueBox<(channels: [Channel], quotaFlush: RepeatedTask?)>(([], nil))
    /// Timeouts and per-connection bounds for client connections.
    public let limits: ServerLimits
    /// The client connections held now, over every listener.
    let connections = ConnectionRegistry()
    /// How often quota counts are flushed.
    public let quotaFlushInterval: TimeAmount

    /// - Parameters:
    ///   - threads: event loops for the server and the backend calls (default: one per core).
    ///   - quotaPersistence: where usage-plan quota counts are kept between runs.
    ///   - accessLog: called with one entry per request served.
    ///   - healthCheckMilliseconds: how often load balancer targets are checked.
    ///   - pendingHealthChecks: how many failed rounds turn a PENDING VPC link FAILED.
    ///   - limits: timeouts for slow and idle clients, and what one connection may have in flight.
    ///   - recordsDetails: give each access log entry a `RequestDetail` (the integration request sent, the limits),
    ///     at the cost of an execution log per request.
    ///   - functionLogDirectory: where each Lambda function's log is written (`NAME.log`); nil keeps logs in memory.
    ///   - signingCredentials: the access keys whose SigV4 signatures `AWS_IAM` methods accept.
    ///   - quotaFlushInterval: how often quota counts are added to the persistence (and the other nodes' read back).
    public init(
        threads: Int = System.coreCount, quotaPersistence: QuotaPersistence? = nil,
        quotaFlushInterval: TimeAmount = .seconds(1),
        accessLog: (@Sendable (AccessLogEntry) -> Void)? = nil, healthCheckMilliseconds: Int = 500,
        pendingHealthChecks: Int = 10, limits: ServerLimits = ServerLimits(), recordsDetails: Bool = false,
        functionLogDirectory: URL? = nil, signingCredentials: [SigV4.Credentials] = [.fromEnvironment()]
    ) {
        self.limits = limits
        self.quotaFlushInterval = quotaFlushInterval
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        ownsGroup = true
        upstream = UpstreamPool(group: group)
        links = VpcLinkDirectory()
        health = HealthChecker(
            group: group, directory: links, interval: .milliseconds(Int64(healthCheckMilliseconds)),
            pendingAttempts: pendingHealthChecks)
        quotas = QuotaLedger(persistence: quotaPersistence)
        blocking = NIOThreadPool(numberOfThreads: 1)
        blocking.start()
        functions = FunctionHost(
            group: group, upstream: upstream, blocking: blocking, logDirectory: functionLogDirectory,
            signing: signingCredentials.first ?? .fromEnvironment())
        pipeline = RequestPipeline(
            upstream: upstream, links: links, functions: functions, quotas: quotas, blocking: blocking,
            accessLog: accessLog, recordsDetails: recordsDetails, signingCredentials: signingCredentials)
    }

    // MARK: Configuration

    /// Compiles `configuration` and makes it what the next request sees.
    public func publish(_ configuration: EngineConfiguration) {
        let compiled = CompiledSnapshot(configuration, metrics: pipeline.stageMetrics)
        links.update(configuration.loadBalancers)
        functions.update(configuration.functions)
        health.update(links: configuration.vpcLinks, balancers: configuration.loadBalancers)
        let previous = pipeline.snapshot.withLockedValue { snapshot in
            defer { snapshot = compiled }
            return snapshot
        }
        // A cache turned off is gone: its entries and its figures (turned on again, it starts empty).
        for (api, stages) in previous.stages {
            for (name, stage) in stages
            where stage.cacheEnabled && compiled.stage(api: api, name: name)?.cacheEnabled != true {
                dropCache(api: api, stage: name)
            }
        }
    }

    private func dropCache(api: String, stage: String) {
        _ = pipeline.caches.withLockedValue { $0.removeValue(forKey: RequestPipeline.stageKey(api, stage)) }
        pipeline.stageMetrics(api, stage).resetCache()
    }

    /// Starts health-checking load balancer targets; `onStatus` hears when a PENDING VPC link becomes AVAILABLE
    /// or FAILED.
    public func startHealthChecks(onStatus: @escaping @Sendable (String, VpcLinkStatus, String) -> Void) {
        health.start(onStatus: onStatus)
    }

    // MARK: Serving

    /// Sends every request that is not an invoke URL to `responder` (the control API); nil stops that.
    public func serveControl(_ responder: ControlResponder?) { control.set(responder) }

    /// Starts serving on `host:port` (port 0 picks a free one) and returns the port. The first listener serves
    /// invoke URLs and, once `serveControl` is set, the control API on the same port; `invoke: false` makes a
    /// listener for the control API alone (`--control-port`) and `control: false` one for invoke URLs alone.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int, invoke: Bool = true, control: Bool = true) async throws
        -> Int
    {
        let pipeline = self.pipeline
        let control = control ? self.control : nil
        let limits = self.limits
        let registry = connections
        ServerLimits.raiseOpenFileLimit()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                // When accept() fails for want of file descriptors, wait a moment instead of spinning on the
                // readable listener, and close the longest-idle connections to make room.
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptBackoffHandler(backoffProvider: { error in
                            guard
                                error.errnoCode == EMFILE || error.errnoCode == ENFILE
                                    || error.errnoCode == ENOBUFS || error.errnoCode == ENOMEM
                            else { return nil }
                            registry.shedIdle(max(16, registry.count / 10))
                            return .milliseconds(100)
                        }))
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Header bytes that are not UTF-8 pass through the HTTP decoder and encoder unchanged.
                    let escaper = HeadEscaper()
                    try channel.pipeline.syncOperations.addHandler(escaper)
                    // The handler encodes its answers itself (`ResponseEncoding`): only the decoder is NIO's.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    let handler = GatewayHTTPHandler(
                        pipeline: pipeline, servesInvoke: invoke, control: control, limits: limits,
                        registry: registry)
                    escaper.framing = handler
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: host, port: port).get()
        let quotas = self.quotas
        let group = self.group
        let blocking = self.blocking
        server.withLockedValue { state in
            state.channels.append(channel)
            if state.quotaFlush == nil {
                // The loop only hands the flush to the blocking thread.
                let interval = self.quotaFlushInterval
                state.quotaFlush = group.next().scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                    blocking.submit { _ in quotas.flush() }
                }
            }
        }
        return channel.localAddress?.port ?? port
    }

    /// The port it serves invoke URLs on, once started.
    public var port: Int? { server.withLockedValue { $0.channels.first?.localAddress?.port } }

    /// Stops serving, writes the quota counts and closes backend connections.
    public func stop() async throws {
        let (channels, flush) = server.withLockedValue { state in
            let current = state
            state = ([], nil)
            return current
        }
        flush?.cancel()
        health.stop()
        for channel in channels { try? await channel.close().get() }
        connections.closeAll()
        await functions.shutdown()
        _ = try? await blocking.runIfActive { self.quotas.flush() }
        try? await upstream.shutdown().get()
        try? await blocking.shutdownGracefully()
        if ownsGroup { try await group.shutdownGracefully() }
    }

    /// Serves one request in-process, as if it had come in on the invoke URL.
    public func invoke(_ request: InvokeRequest, api: String, stage: String) async -> InvokeResponse {
        let loop = group.next()
        return (try? await loop.flatSubmit { self.pipeline.serve(request, api: api, stage: stage, on: loop) }.get())
            ?? InvokeResponse(status: 500)
    }

    /// Runs a method of an API's working copy as the console's Test does.
    public func testInvoke(definition: ApiDefinition, resourceId: String, httpMethod: String, input: TestInvokeRequest)
        async throws -> TestInvokeResult
    {
        let loop = group.next()
        return try await loop.flatSubmit {
            self.pipeline.testInvoke(
                definition: definition, resourceId: resourceId, httpMethod: httpMethod, input: input, on: loop)
        }.get()
    }

    /// Runs an authorizer of an API's working copy as TestInvokeAuthorizer does.
    public func testAuthorizer(definition: ApiDefinition, authorizer: Authorizer, input: TestInvokeRequest)
        async throws -> TestAuthorizerResult
    {
        let loop = group.next()
        return try await loop.flatSubmit {
            self.pipeline.testAuthorizer(definition: definition, authorizer: authorizer, input: input, on: loop)
        }.get()
    }

    // MARK: Figures

    /// Figures for a stage and each of its methods (keyed `~1path/METHOD`).
    public func metrics(api: String, stage: String) -> (stage: MetricsSnapshot, methods: [String: MetricsSnapshot]) {
        pipeline.stageMetrics(api, stage).snapshot()
    }

    /// A stage cache's counters: hits, misses, evictions, bytes, entries.
    public func cacheCounters(api: String, stage: String) -> (
        hits: Int, misses: Int, evictions: Int, bytes: Int, entries: Int
    ) {
        let counters =
            pipeline.caches.withLockedValue { $0[RequestPipeline.stageKey(api, stage)]?.counters }
            ?? ResponseCache.Counters()
        return (counters.hits, counters.misses, counters.evictions, counters.bytes, counters.entries)
    }

    /// Empties a stage's cache (FlushStageCache).
    /// The stage's cache figures start again from nothing, as its entries do.
    public func flushCache(api: String, stage: String) {
        pipeline.caches.withLockedValue { $0[RequestPipeline.stageKey(api, stage)] }?.flush()
        pipeline.stageMetrics(api, stage).resetCache()
    }

    /// Drops one cached answer of a stage (one invalidated through another node).
    public func invalidateCache(api: String, stage: String, key: String) {
        pipeline.caches.withLockedValue { $0[RequestPipeline.stageKey(api, stage)] }?.invalidate(key)
    }

    /// Who is told of each cached answer a request invalidates (api, stage, cache key); called on an event loop.
    public func onCacheInvalidation(_ handler: (@Sendable (String, String, String) -> Void)?) {
        pipeline.invalidationHook.withLockedValue { $0 = handler }
    }

    /// The targets of a load balancer with their health and, for unhealthy ones, why.
    public func targetHealth(balancer: String) -> [(target: Target, healthy: Bool, reason: String?)] {
        links.health(balancer: balancer).map { ($0.0, $0.1, $0.2) }
    }

    /// Requests a key has made under a plan in the quota `period` running now (also before any request of this
    /// process).
    public func quotaUsed(plan: String, key: String, period: QuotaPeriod) -> Int {
        quotas.used(plan: plan, key: key, period: period, now: Date())
    }

    /// Writes the quota and per-day counts to the state now (they are otherwise written every
    /// `quotaFlushInterval`); false when the state did not take them (they are written with a later flush).
    @discardableResult
    public func flushQuotaCounts() -> Bool { quotas.flush() }

    /// This node's part of every throttle limit: 1 alone, 1/N when N nodes serve one state.
    /// It is also the part of what is left of each quota this node admits between two flushes.
    public var throttleShare: Double {
        get { pipeline.throttles.share }
        set {
            pipeline.throttles.share = newValue
            quotas.share = newValue
        }
    }

    /// How long ago the quota counts were last written to the state, nil before the first flush.
    public var quotaFlushAge: TimeAmount? {
        quotas.lastFlushed.map { .nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds - $0)) }
    }

    /// FlushStageAuthorizersCache: the stage's Lambda authorizers run again for the next requests.
    public func flushAuthorizersCache(api: String, stage: String) {
        pipeline.authorizerCache.flush(api: api, stage: stage)
    }

    /// Each Lambda function's processes and figures.
    public var functionStatuses: [FunctionStatus] { functions.statuses }

    /// The newest lines of a function's log, once every line written so far is in (`settled`), or as they are
    /// now (for a screen that draws again soon: it does not wait for the log's writes).
    public func functionLogLines(_ name: String, settled: Bool = true) -> [String] {
        guard let log = functions.log(name) else { return [] }
        return settled ? log.lines : log.latest
    }

    /// Sets how many requests a key has made in the quota period running now (UpdateUsage).
    public func setQuotaUsed(_ used: Int, plan: String, key: String, period: QuotaPeriod) throws {
        try quotas.setUsed(used, plan: plan, key: key, period: period, now: Date())
    }

    /// Client connections open now (over every listener).
    public var openConnections: Int { connections.count }

    /// The base of the invoke URLs: `http://127.0.0.1:PORT`.
    public func invokeBase(host: String = "127.0.0.1") -> String? { port.map { "http://\(host):\($0)" } }
}
