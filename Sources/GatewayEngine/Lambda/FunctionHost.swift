import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// What a function answered an invocation.
enum LambdaResult: Sendable {
    case success(ByteBuffer)
    /// The function failed (it raised, crashed or ran out of time): Lambda's error payload
    /// `{"errorMessage": …, "errorType": …}`.
    case functionError(ByteBuffer, type: String)
}

/// Why a function could not be invoked at all (Lambda's own errors, before any handler ran).
enum LambdaInvokeError: Error, CustomStringConvertible {
    case notFound(String)
    /// More invocations at once than the function's concurrency.
    case throttled(String)
    /// The process could not be started, or the Invoke API endpoint could not be reached.
    case unavailable(String)

    var description: String {
        switch self {
        case .notFound(let name): "Function not found: \(name)"
        case .throttled(let name): "Rate Exceeded: \(name) is running as many invocations as its concurrency allows"
        case .unavailable(let reason): reason
        }
    }
}

/// A function's figures, for the console and the command line.
public struct FunctionStatus: Sendable, Equatable {
    public var name: String
    /// Processes running, and how many of them are in an invocation.
    public var instances: Int
    public var busy: Int
    public var invocations: Int
    public var errors: Int
    public var throttles: Int
    public var coldStarts: Int
}

/// The Lambda functions of the state, run on this machine: a pool of warm handler processes per function
/// (one invocation per process at a time, up to its concurrency), or calls to an Invoke API endpoint.
final class FunctionHost: Sendable {
    let group: EventLoopGroup
    let upstream: UpstreamPool
    let blocking: NIOThreadPool
    let logDirectory: URL?
    /// What calls to Invoke API endpoints are signed with.
    let signing: SigV4.Credentials
    private let pools = NIOLockedValueBox<[String: FunctionPool]>([:])

    init(
        group: EventLoopGroup, upstream: UpstreamPool, blocking: NIOThreadPool, logDirectory: URL?,
        signing: SigV4.Credentials
    ) {
        self.group = group
        self.upstream = upstream
        self.blocking = blocking
        self.logDirectory = logDirectory
        self.signing = signing
    }

    /// Takes the functions the state now has: new ones get a pool, changed ones a fresh pool (the old one's
    /// processes stop once idle), removed ones stop.
    func update(_ functions: [LambdaFunction]) {
        let retired: [FunctionPool] = pools.withLockedValue { pools in
            var retired: [FunctionPool] = []
            let wanted = Dictionary(functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for (name, pool) in pools where wanted[name] != pool.function {
                retired.append(pool)
                pools[name] = nil
            }
            for (name, function) in wanted where pools[name] == nil {
                pools[name] = FunctionPool(function, host: self, log: FunctionLog(name: name, directory: logDirectory))
            }
            return retired
        }
        for pool in retired { pool.shutdown() }
    }

    func pool(_ name: String) -> FunctionPool? { pools.withLockedValue { $0[name] } }

    /// Invokes a function by name or ARN; the future completes on `eventLoop`.
    func invoke(_ nameOrArn: String, payload: ByteBuffer, requestId: String, on eventLoop: EventLoop)
        -> EventLoopFuture<LambdaResult>
    {
        let name = LambdaFunction.name(fromArn: nameOrArn) ?? nameOrArn
        guard let pool = pool(name) else {
            return eventLoop.makeFailedFuture(LambdaInvokeError.notFound(name))
        }
        return pool.invoke(payload: payload, requestId: requestId).hop(to: eventLoop)
    }

    var statuses: [FunctionStatus] {
        pools.withLockedValue { Array($0.values) }.map(\.status).sorted { $0.name < $1.name }
    }

    func log(_ name: String) -> FunctionLog? { pool(name)?.log }

    /// Stops every process; returns when their Runtime API listeners are closed, so nothing is left to run on the
    /// event loops after the engine stops.
    func shutdown() async {
        let all = pools.withLockedValue { pools in
            defer { pools = [:] }
            return Array(pools.values)
        }
        for closed in all.flatMap({ $0.shutdown(now: true) }) { try? await closed.get() }
    }
}

/// One function's processes.
final class FunctionPool: Sendable {
    let function: LambdaFunction
    let log: FunctionLog
    /// The host's event loops, process-starting thread, backend connections and signing key.
    private let group: EventLoopGroup
    private let blocking: NIOThreadPool
    private let upstream: UpstreamPool
    private let signing: SigV4.Credentials
    private struct State {
        var instances: [ObjectIdentifier: FunctionInstance] = [:]
        var idle: [FunctionInstance] = []
        var closed = false
        var invocations = 0
        var errors = 0
        var throttles = 0
        var coldStarts = 0
    }
    private let state = NIOLockedValueBox(State())

    init(_ function: LambdaFunction, host: FunctionHost, log: FunctionLog) {
        self.function = function
        group = host.group
        blocking = host.blocking
        upstream = host.upstream
        signing = host.signing
        self.log = log
    }

    var status: FunctionStatus {
        state.withLockedValue { state in
            FunctionStatus(
                name: function.name, instances: state.instances.count,
                busy: state.instances.count - state.idle.count, invocations: state.invocations, errors: state.errors,
                throttles: state.throttles, coldStarts: state.coldStarts)
        }
    }

    func invoke(payload: ByteBuffer, requestId: String) -> EventLoopFuture<LambdaResult> {
        if function.kind == .invokeURL { return invokeURL(payload: payload, requestId: requestId) }
        enum Pick {
            case warm(FunctionInstance)
            case cold(FunctionInstance)
            case throttled
            case closed
        }
        let loop = group.next()
        let pick: Pick = state.withLockedValue { state in
            guard !state.closed else { return .closed }
            if let instance = state.idle.popLast() {
                state.invocations += 1
                return .warm(instance)
            }
            guard state.instances.count < function.concurrency else {
                state.throttles += 1
                return .throttled
            }
            let instance = FunctionInstance(pool: self, loop: loop)
            state.instances[ObjectIdentifier(instance)] = instance
            state.invocations += 1
            state.coldStarts += 1
            return .cold(instance)
        }
        switch pick {
        case .closed:
            return loop.makeFailedFuture(LambdaInvokeError.notFound(function.name))
        case .throttled:
            return loop.makeFailedFuture(LambdaInvokeError.throttled(function.name))
        case .warm(let instance):
            return instance.run(payload: payload, requestId: requestId)
        case .cold(let instance):
            let answer = instance.run(payload: payload, requestId: requestId)
            instance.start(blocking: blocking)
            return answer
        }
    }

    /// An instance finished an invocation and can take the next.
    func release(_ instance: FunctionInstance, failed: Bool) {
        let keep = state.withLockedValue { state -> Bool in
            if failed { state.errors += 1 }
            guard !state.closed, state.instances[ObjectIdentifier(instance)] != nil else { return false }
            state.idle.append(instance)
            return true
        }
        if !keep { instance.stop() }
    }

    /// An instance's process ended, or is being ended: it takes no more invocations.
    func remove(_ instance: FunctionInstance, failed: Bool = false) {
        state.withLockedValue { state in
            if failed { state.errors += 1 }
            state.instances[ObjectIdentifier(instance)] = nil
            state.idle.removeAll { $0 === instance }
        }
    }

    /// Stops the idle processes at once and the busy ones when they finish (or at once when `now`); gives the
    /// closing of the stopped ones' Runtime API listeners.
    @discardableResult
    func shutdown(now: Bool = false) -> [EventLoopFuture<Void>] {
        let (idle, all) = state.withLockedValue { state in
            state.closed = true
            defer { state.idle = [] }
            return (state.idle, Array(state.instances.values))
        }
        let closed = (now ? all : idle).compactMap { $0.stop() }
        log.close()
        return closed
    }

    // MARK: Invoke API endpoints

    func invokeURL(payload: ByteBuffer, requestId: String) -> EventLoopFuture<LambdaResult> {
        let loop = group.next()
        state.withLockedValue { $0.invocations += 1 }
        guard let text = function.invokeURL, let url = URL(string: text), let hostName = url.host else {
            return loop.makeFailedFuture(LambdaInvokeError.unavailable("The invoke URL of \(function.name) is invalid"))
        }
        let base = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.port.map { "\(hostName):\($0)" } ?? hostName)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "X-Amz-Invocation-Type", value: "RequestResponse")
        headers.add(name: "X-Amzn-Trace-Id", value: "Root=\(requestId)")
        let target = "\(base)/2015-03-31/functions/\(function.name)/invocations"
        var signed = InvokeRequest(method: "POST", path: target, headers: headers, body: payload)
        SigV4.sign(&signed, credentials: signing, region: function.region, service: "lambda")
        let request = UpstreamRequest(method: .POST, target: target, headers: signed.headers, body: payload)
        let name = function.name
        let started = NIODeadline.now()
        log.append("START RequestId: \(requestId) Version: $LATEST")
        return upstream.execute(
            request, host: hostName, port: url.port ?? 80, on: loop,
            timeout: .seconds(Int64(function.timeout) + 1)
        ).flatMapErrorThrowing { error in
            throw LambdaInvokeError.unavailable("The invoke URL of \(name) did not answer (\(error))")
        }.flatMapThrowing { [self] response in
            let elapsed = Double((NIODeadline.now() - started).nanoseconds) / 1_000_000
            log.append("END RequestId: \(requestId)")
            log.append("REPORT RequestId: \(requestId)\tDuration: \(FunctionInstance.millis(elapsed)) ms")
            switch response.status.code {
            case 200:
                if let kind = response.headers.first(name: "X-Amz-Function-Error") {
                    state.withLockedValue { $0.errors += 1 }
                    return .functionError(response.body, type: FunctionInstance.errorType(response.body) ?? kind)
                }
                return .success(response.body)
            case 429:
                state.withLockedValue { $0.throttles += 1 }
                throw LambdaInvokeError.throttled(name)
            case 404: throw LambdaInvokeError.notFound(name)
            default:
                throw LambdaInvokeError.unavailable(
                    "The invoke URL of \(name) answered \(response.status.code): \(String(buffer: response.body).prefix(200))"
                )
            }
        }
    }
}

/// One handler process and the Runtime API served to it on a loopback port of its own. It and its pool hold
/// each other until it leaves the pool (its process ended or was stopped).
final class FunctionInstance: Sendable {
    private let pool: FunctionPool
    let loop: EventLoop

    struct Invocation {
        var requestId: String
        var payload: ByteBuffer
        /// Set when the invocation is delivered: the function's timeout runs from then.
        var deadline = Date.distantFuture
        var promise: EventLoopPromise<LambdaResult>
        var delivered = false
        var started = NIODeadline.now()
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var current: Invocation?
        /// A `next` request waiting for an invocation.
        var waiting: (@Sendable (RuntimeReply) -> Void)?
        var process: Process?
        var channel: Channel?
        var stopped = false
        var started = NIODeadline.now()
        /// Until the first invocation is delivered: how long the process took to ask for it.
        var initDuration: Double?
        var reportedInit = false
        var partial: [Int32: Data] = [:]
        /// The invocation delivered last: what the process prints after answering (its output can arrive after
        /// its answer) is still that invocation's.
        var lastRequestId: String?
    }
    private let state = NIOLockedValueBox(State())

    init(pool: FunctionPool, loop: EventLoop) {
        self.pool = pool
        self.loop = loop
    }

    var function: LambdaFunction { pool.function }
    var log: FunctionLog { pool.log }

    /// Hands the instance an invocation; it is delivered at the process's next `next`.
    func run(payload: ByteBuffer, requestId: String) -> EventLoopFuture<LambdaResult> {
        let promise = loop.makePromise(of: LambdaResult.self)
        let reply: (@Sendable (RuntimeReply) -> Void)? = state.withLockedValue { state in
            state.current = Invocation(
                requestId: requestId, payload: payload, promise: promise)
            guard let waiting = state.waiting else { return nil }
            state.waiting = nil
            return waiting
        }
        if let reply { deliver(to: reply) }
        return promise.futureResult
    }

    // MARK: Starting and stopping

    /// Binds the Runtime API, then starts the process (off the event loop).
    func start(blocking: NIOThreadPool) {
        let function = self.function
        ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RuntimeAPIHandler(instance: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .whenComplete { [self] result in
                switch result {
                case .failure(let error):
                    failStart("the Runtime API for \(function.name) could not listen: \(error)")
                case .success(let channel):
                    let stopped = state.withLockedValue { state in
                        state.channel = channel
                        return state.stopped
                    }
                    if stopped { return channel.close(promise: nil) }
                    let port = channel.localAddress?.port ?? 0
                    blocking.runIfActive(eventLoop: loop) { [self] in try launch(runtimeAPI: "127.0.0.1:\(port)") }
                        .whenFailure { [self] error in failStart("\(function.name) did not start: \(error)") }
                }
            }
    }

    /// The process, with Lambda's variables over this process's environment. Runs on a blocking thread.
    private func launch(runtimeAPI: String) throws {
        let function = self.function
        let command: [String]
        if let given = function.command {
            command = given
        } else {
            command = try Bootstraps.command(runtime: function.runtime ?? "python3")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in function.environment { environment[name] = value }
        let root =
            function.code.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? FileManager.default
            .currentDirectoryPath
        let lambda: [String: String] = [
            "AWS_LAMBDA_RUNTIME_API": runtimeAPI, "_HANDLER": function.handler ?? "", "LAMBDA_TASK_ROOT": root,
            "LAMBDA_RUNTIME_DIR": root, "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(function.memorySize),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": String(function.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/\(function.name)",
            "AWS_LAMBDA_LOG_STREAM_NAME": "gatehouse/[$LATEST]\(UUID().uuidString.lowercased())",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_REGION": function.region,
            "AWS_DEFAULT_REGION": function.region, "AWS_EXECUTION_ENV": "AWS_Lambda_\(function.runtime ?? "provided")",
            "TZ": ":UTC",
        ]
        for (name, value) in lambda { environment[name] = value }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [self] process in
            exited(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal)
        }
        let stopped = state.withLockedValue { state in
            state.process = process
            state.started = NIODeadline.now()
            return state.stopped
        }
        if stopped { return }
        // Foundation's Process.run is not safe to call from several threads at once on Linux (one launch crashed
        // copying its arguments while another ran): function processes are started one at a time.
        try Self.launching.withLock { try process.run() }
        // The process's output is read on a thread of its own per pipe (blocking reads, never on an event loop)
        // until the process closes it. Foundation's readabilityHandler is not used: its dispatch source crashed the
        // dispatch manager thread when a pipe went away under it.
        for pipe in [output, errors] {
            let handle = pipe.fileHandleForReading
            let descriptor = handle.fileDescriptor
            Thread { [self] in
                while let data = Self.readChunk(descriptor) { printed(data, from: descriptor) }
                flushPartial(descriptor)
                // Kept to here, so the descriptor is not closed while it is read.
                withExtendedLifetime(handle) {}
            }.start()
        }
        // Stopped while it was starting: it does not outlive the engine.
        if state.withLockedValue({ $0.stopped }) { kill(process.processIdentifier, SIGKILL) }
    }

    private static let launching = NIOLock()

    /// The next bytes a pipe gives (a blocking read, retried on EINTR); nil at its end or on an error.
    private static func readChunk(_ descriptor: Int32) -> Data? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 { return Data(buffer[..<count]) }
            if count == 0 || errno != EINTR { return nil }
        }
    }

    private func failStart(_ reason: String) {
        log.write(reason, requestId: nil)
        let current = state.withLockedValue { state -> Invocation? in
            defer { state.current = nil }
            return state.current
        }
        pool.remove(self, failed: true)
        if let current {
            current.timeout?.cancel()
            current.promise.fail(LambdaInvokeError.unavailable(reason))
        }
        stop()
    }

    /// Ends the process (SIGKILL) and the Runtime API; an invocation still running fails now, while its event loop
    /// runs. Gives the closing of the Runtime API listener (nil when it was already stopped).
    @discardableResult
    func stop() -> EventLoopFuture<Void>? {
        let (process, channel, current, wasStopped) = state.withLockedValue { state in
            defer {
                state.stopped = true
                state.current = nil
            }
            return (state.process, state.channel, state.current, state.stopped)
        }
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        pool.remove(self)
        if let current {
            current.timeout?.cancel()
            finishLogging(current, error: true)
            current.promise.fail(LambdaInvokeError.unavailable("The function \(pool.function.name) was stopped"))
        }
        guard !wasStopped, let channel else { return nil }
        let closed = channel.eventLoop.makePromise(of: Void.self)
        channel.close(promise: closed)
        return closed.futureResult.recover { _ in }
    }

    private func exited(status: Int32, signalled: Bool) {
        let (current, channel, wasStopped) = state.withLockedValue { state -> (Invocation?, Channel?, Bool) in
            defer {
                state.current = nil
                state.stopped = true
            }
            return (state.current, state.channel, state.stopped)
        }
        // A process that was stopped has had its listener closed already (perhaps with the engine's event loops).
        if !wasStopped { channel?.close(promise: nil) }
        pool.remove(self, failed: current != nil)
        guard let current else { return }
        let reason = signalled ? "signal: \(Self.signalName(status))" : "exit status \(status)"
        let message = "RequestId: \(current.requestId) Error: Runtime exited with error: \(reason)"
        log.write(message, requestId: current.requestId)
        finishLogging(current, error: true)
        current.timeout?.cancel()
        current.promise.succeed(
            .functionError(Self.errorPayload(message, type: "Runtime.ExitError"), type: "Runtime.ExitError"))
    }

    private func timedOut(requestId: String, seconds: Int) {
        let current = state.withLockedValue { state -> Invocation? in
            guard state.current?.requestId == requestId else { return nil }
            defer { state.current = nil }
            return state.current
        }
        guard let current else { return }
        let message = "\(FunctionLog.timestamp(Date())) \(requestId) Task timed out after \(seconds).00 seconds"
        log.append(message)
        finishLogging(current, error: true)
        current.promise.succeed(.functionError(Self.errorPayload(message, type: nil), type: "Sandbox.Timedout"))
        // Lambda ends the environment of an invocation that timed out.
        stop()
    }

    // MARK: The Runtime API

    /// A request from the process: `GET …/invocation/next`, `POST …/invocation/ID/response|error`,
    /// `POST …/init/error`.
    func handle(_ head: HTTPRequestHead, body: ByteBuffer, reply: @escaping @Sendable (RuntimeReply) -> Void) {
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let prefix = "/2018-06-01/runtime/"
        guard path.hasPrefix(prefix) else { return reply(.notFound) }
        let parts = path.dropFirst(prefix.count).split(separator: "/").map(String.init)
        switch (head.method, parts.count, parts.first, parts.last) {
        case (.GET, 2, "invocation", "next"):
            let ready: Bool = state.withLockedValue { state in
                if let current = state.current, !current.delivered { return true }
                state.waiting = reply
                return false
            }
            if ready { deliver(to: reply) }
        case (.POST, 3, "invocation", "response"):
            finish(requestId: parts[1], with: .success(body), reply: reply)
        case (.POST, 3, "invocation", "error"):
            let type = head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Unhandled"
            finish(requestId: parts[1], with: .functionError(body, type: Self.errorType(body) ?? type), reply: reply)
        case (.POST, 2, "init", "error"):
            reply(.accepted)
            let current = state.withLockedValue { state -> Invocation? in
                defer { state.current = nil }
                return state.current
            }
            let type = head.headers.first(name: "Lambda-Runtime-Function-Error-Type") ?? "Runtime.Unknown"
            log.write(
                "INIT_REPORT Init Duration: failed\tPhase: init\tStatus: error\tError Type: \(type)", requestId: nil)
            stop()
            if let current {
                current.timeout?.cancel()
                finishLogging(current, error: true)
                current.promise.succeed(.functionError(body, type: Self.errorType(body) ?? type))
            }
        default:
            reply(.notFound)
        }
    }

    private func deliver(to reply: @escaping @Sendable (RuntimeReply) -> Void) {
        // The function's timeout runs from the delivery, as Lambda's does: a cold start's init is not part of it.
        let seconds = function.timeout
        let delivered: Invocation? = state.withLockedValue { state in
            guard var current = state.current, !current.delivered else { return nil }
            current.delivered = true
            current.started = NIODeadline.now()
            current.deadline = Date().addingTimeInterval(TimeInterval(seconds))
            let requestId = current.requestId
            current.timeout = loop.scheduleTask(in: .seconds(Int64(seconds))) { [self] in
                timedOut(requestId: requestId, seconds: seconds)
            }
            state.current = current
            state.lastRequestId = requestId
            if state.initDuration == nil {
                state.initDuration = Double((NIODeadline.now() - state.started).nanoseconds) / 1_000_000
            }
            return current
        }
        guard let delivered else { return }
        log.append("START RequestId: \(delivered.requestId) Version: $LATEST")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Lambda-Runtime-Aws-Request-Id", value: delivered.requestId)
        headers.add(
            name: "Lambda-Runtime-Deadline-Ms", value: String(Int64(delivered.deadline.timeIntervalSince1970 * 1000)))
        headers.add(name: "Lambda-Runtime-Invoked-Function-Arn", value: function.arn)
        headers.add(name: "Lambda-Runtime-Trace-Id", value: "Root=1-\(delivered.requestId.prefix(8))")
        reply(.ok(headers, delivered.payload))
    }

    private func finish(
        requestId: String, with result: LambdaResult, reply: @escaping @Sendable (RuntimeReply) -> Void
    ) {
        let current = state.withLockedValue { state -> Invocation? in
            guard let current = state.current, current.requestId == requestId, current.delivered else { return nil }
            state.current = nil
            return current
        }
        guard let current else { return reply(.invalidRequestId) }
        reply(.accepted)
        current.timeout?.cancel()
        var failed = false
        if case .functionError = result { failed = true }
        finishLogging(current, error: failed)
        current.promise.succeed(result)
        pool.release(self, failed: failed)
    }

    /// Lambda's `END` and `REPORT` lines.
    private func finishLogging(_ invocation: Invocation, error: Bool) {
        let elapsed = Double((NIODeadline.now() - invocation.started).nanoseconds) / 1_000_000
        let (initDuration, pid): (Double?, Int32?) = state.withLockedValue { state in
            defer { state.reportedInit = true }
            return (state.reportedInit ? nil : state.initDuration, state.process?.processIdentifier)
        }
        let report =
            "REPORT RequestId: \(invocation.requestId)\tDuration: \(Self.millis(elapsed)) ms\tBilled Duration: "
            + "\(Int(elapsed.rounded(.up))) ms\tMemory Size: \(function.memorySize) MB"
        let rest =
            (initDuration.map { "\tInit Duration: \(Self.millis($0)) ms" } ?? "") + (error ? "\tStatus: error" : "")
        log.append("END RequestId: \(invocation.requestId)")
        // The peak memory is read from /proc on the log's queue, not on the event loop.
        log.append {
            report + (pid.flatMap(FunctionInstance.peakMemoryMB).map { "\tMax Memory Used: \($0) MB" } ?? "") + rest
        }
    }

    // MARK: Output

    private func printed(_ data: Data, from descriptor: Int32) {
        let lines: [String] = state.withLockedValue { state in
            var buffer = state.partial[descriptor] ?? Data()
            buffer.append(data)
            var lines: [String] = []
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer = Data(buffer[buffer.index(after: newline)...])
            }
            // A line longer than 256 KB is written in parts, as Lambda's log does.
            if buffer.count > 262_144 {
                lines.append(String(decoding: buffer, as: UTF8.self))
                buffer = Data()
            }
            state.partial[descriptor] = buffer
            return lines
        }
        let requestId = state.withLockedValue { $0.current?.requestId ?? $0.lastRequestId }
        for line in lines { log.write(line, requestId: requestId) }
    }

    private func flushPartial(_ descriptor: Int32) {
        let rest = state.withLockedValue { state in
            defer { state.partial[descriptor] = nil }
            return state.partial[descriptor]
        }
        if let rest, !rest.isEmpty {
            log.write(String(decoding: rest, as: UTF8.self), requestId: state.withLockedValue { $0.current?.requestId })
        }
    }

    // MARK: Helpers

    static func errorPayload(_ message: String, type: String?) -> ByteBuffer {
        var object: [String: String] = ["errorMessage": message]
        if let type { object["errorType"] = type }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return ByteBuffer(bytes: data)
    }

    /// The `errorType` of a Lambda error payload.
    static func errorType(_ payload: ByteBuffer) -> String? {
        let data = Data(payload.readableBytesView)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["errorType"] as? String
    }

    static func millis(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// The process's peak resident memory (`VmHWM`), in MB.
    static func peakMemoryMB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return max(1, (kilobytes + 1023) / 1024)
    }

    static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGKILL: "killed"
        case SIGSEGV: "segmentation fault"
        case SIGABRT: "aborted"
        case SIGTERM: "terminated"
        default: "signal \(number)"
        }
    }
}

/// What the Runtime API answers the process.
enum RuntimeReply: Sendable {
    case ok(HTTPHeaders, ByteBuffer)
    case accepted
    case invalidRequestId
    case notFound
}

/// The Runtime API's HTTP side: one request at a time per connection, answered when the instance says. Used on
/// its channel's event loop only.
final class RuntimeAPIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let instance: FunctionInstance
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(instance: FunctionInstance) { self.instance = instance }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part): body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            let channel = context.channel
            let keepAlive = head.isKeepAlive
            instance.handle(head, body: body) { reply in
                RuntimeAPIHandler.write(reply, on: channel, keepAlive: keepAlive)
            }
        }
    }

    static func write(_ reply: RuntimeReply, on channel: Channel, keepAlive: Bool) {
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        var body = ByteBuffer()
        switch reply {
        case .ok(let given, let payload):
            headers = given
            status = .ok
            body = payload
        case .accepted:
            status = .accepted
            body = ByteBuffer(string: "{\"status\":\"OK\"}")
        case .invalidRequestId:
            status = .badRequest
            body = ByteBuffer(string: "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}")
        case .notFound:
            status = .notFound
            body = ByteBuffer(string: "{\"errorMessage\":\"Unknown path\",\"errorType\":\"InvalidRequest\"}")
        }
        if headers.first(name: "Content-Type") == nil { headers.add(name: "Content-Type", value: "application/json") }
        headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        let payload = body
        channel.eventLoop.execute {
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(payload)), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }
}
