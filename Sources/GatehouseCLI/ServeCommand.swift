import ArgumentParser
import Dispatch
import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel
import GatewayStore
import NIOCore
import SampleBackend

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract:
            "Serve the deployed stages over HTTP, and API Gateway's control API for the aws CLI and SDKs, headless.",
        discussion: """
            Invoke URLs: http://HOST:PORT/restapis/{api}/{stage}/_user_request_/{path}, or \
            http://{api}.execute-api.localhost:PORT/{stage}/{path}. Changes made meanwhile by other gatehouse \
            commands on the same state are served within a second. The control API answers on the same port \
            (aws apigateway --endpoint-url http://127.0.0.1:PORT), or on --control-port. One access-log line is \
            printed per request unless --quiet. With --state postgres://USER@HOST:PORT/DATABASE several nodes serve \
            one state: a change made through any of them is served by all within 200 ms, quotas are counted \
            together, and each node takes its share of every throttle limit (gatehouse cluster status lists them).
            """)

    @Option(help: "The port to serve on.")
    var port: Int = 4567

    @Option(help: "The address to bind (loopback by default).")
    var bind: String = "127.0.0.1"

    @Flag(help: "Do not print the access log.")
    var quiet = false

    @Option(help: "Event loop threads (default: one per core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        name: .customLong("account-rate"),
        help: "Account-level throttle rate, requests per second (API Gateway's default).")
    var accountRate: Double = 10_000

    @Option(name: .customLong("account-burst"), help: "Account-level throttle burst.")
    var accountBurst: Int = 5_000

    @Option(
        name: .customLong("quota-sync-ms"),
        help:
            "Milliseconds between two writes of the quota counts (default: 100 on a PostgreSQL state, 1000 on a file).")
    var quotaSyncMilliseconds: Int?

    @OptionGroup var limits: ClientLimitOptions

    @OptionGroup var controlOptions: ControlAPIOptions

    @OptionGroup var options: StateOptions

    func validate() throws {
        if let quotaSyncMilliseconds, !(10...60_000).contains(quotaSyncMilliseconds) {
            throw ValidationError("--quota-sync-ms must be between 10 and 60000, not \(quotaSyncMilliseconds)")
        }
    }

    func run() async throws {
        try await runReporting { try await serve() }
    }

    func serve() async throws {
        do {
            let control = try options.control()
            var accessLog: (@Sendable (AccessLogEntry) -> Void)?
            let writer = quiet ? nil : AccessLogWriter()
            if let writer { accessLog = { entry in writer.append(entry) } }
            defer { writer?.finish() }
            let engine = control.makeEngine(
                threads: threads, accessLog: accessLog, limits: limits.serverLimits,
                signingCredentials: [controlOptions.credentials],
                quotaFlushInterval: quotaSyncMilliseconds.map { .milliseconds(Int64($0)) })
            await control.onPublishFailure { problem in warn(problem) }
            await control.setAccountThrottle(ThrottleSettings(burstLimit: accountBurst, rateLimit: accountRate))
            try await control.attach(engine)
            engine.serveControl(controlOptions.api(control, bind: bind).responder)
            if !ControlAPIOptions.isLoopback(bind), !controlOptions.noControlApi, !controlOptions.requireSignature {
                warn(
                    "\(bind) is not a loopback address and the control API takes unsigned requests: anyone who can reach this port can change the gateway. Add --require-signature (or --no-control-api)."
                )
            }
            let bound: Int
            do {
                bound = try await engine.start(
                    host: bind, port: port, control: controlOptions.controlPort == nil && !controlOptions.noControlApi)
            } catch {
                throw CLIError(message: "Cannot serve on \(bind):\(port): \(error)")
            }
            let host = bind.contains(":") ? "[\(bind)]" : bind
            say("Gatehouse serving on http://\(host):\(bound)")
            if let line = try await controlOptions.start(on: engine, host: bind, invokePort: bound) { say(line) }
            for (api, stage) in try await deployedStages(control) {
                say(
                    "  \(api.name) (\(api.id)) stage \(stage.stageName): http://\(host):\(bound)/restapis/\(api.id)/\(stage.stageName)/_user_request_/"
                )
            }
            let membership = try await control.joinCluster(address: "\(host):\(bound)") { problem in warn(problem) }
            if let membership {
                say(
                    "Node \(membership.nodeId) of the cluster on \(control.store.displayLocation): \(membership.liveNodes) live node\(membership.liveNodes == 1 ? "" : "s")"
                )
            }
            say("Press Ctrl-C to stop.")
            try await waitForSignal(reloading: membership == nil ? control : nil)
            await membership?.leave()
            try await engine.stop()
            print("Stopped.")
        }
    }

    func deployedStages(_ control: GatewayControl) async throws -> [(RestApi, Stage)] {
        var result: [(RestApi, Stage)] = []
        for api in try control.restApis() {
            for stage in try control.stages(api: api.id) { result.append((api, stage)) }
        }
        return result
    }

    /// Waits for SIGINT or SIGTERM, republishing to the engine whenever another process changes a SQLite state
    /// (a cluster node follows PostgreSQL's notifications instead).
    func waitForSignal(reloading control: GatewayControl?) async throws {
        let store = control?.store
        var generation = (try? store?.generation()) ?? 0
        let stop = SignalWaiter()
        while !stop.received {
            try await Task.sleep(for: .milliseconds(250))
            if let control, let current = try? store?.generation(), current != generation {
                generation = current
                do {
                    try await control.publishToEngine()
                } catch {
                    warn("\(error)")
                }
            }
        }
    }
}

/// Notices SIGINT and SIGTERM.
final class SignalWaiter: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var flag = false

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.withLock { self?.flag = true }
            }
            source.resume()
            sources.append(source)
        }
    }

    var received: Bool { lock.withLock { flag } }
}

struct SampleBackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-backend",
        abstract: "Run the private pictures API of the walkthrough on a loopback port.")

    @Option(help: "The port (0 picks a free one).")
    var port: Int = 5075

    @Option(help: "The address to bind.")
    var bind: String = "127.0.0.1"

    func run() async throws {
        let backend: PicturesBackend
        do {
            backend = try await PicturesBackend.start(host: bind, port: port)
        } catch {
            throw CLIError(message: "Cannot listen on \(bind):\(port): \(error)")
        }
        say(
            "pictures backend on http://\(backend.address) (its definition: http://\(backend.address)/swagger/v1/swagger.json)"
        )
        say("Press Ctrl-C to stop.")
        let stop = SignalWaiter()
        while !stop.received { try await Task.sleep(for: .milliseconds(250)) }
        try await backend.stop()
    }
}

/// Writes `warning: LINE` to standard error.
func warn(_ line: String) {
    FileHandle.standardError.write(Data(("warning: " + line + "\n").utf8))
}

/// Timeouts for slow and idle clients and the per-connection bound, for the verbs that serve.
struct ClientLimitOptions: ParsableArguments {
    @Option(
        name: .customLong("header-timeout"),
        help: "Seconds a client has, from a request's first byte, to send its whole head.")
    var headerTimeout: Double = 20

    @Option(name: .customLong("body-timeout"), help: "Seconds a request body may pause between two reads.")
    var bodyTimeout: Double = 30

    @Option(name: .customLong("idle-timeout"), help: "Seconds a kept-alive connection may sit with no request.")
    var idleTimeout: Double = 60

    @Option(name: .customLong("send-timeout"), help: "Seconds answers may wait for a client that does not read.")
    var sendTimeout: Double = 60

    @Option(
        name: .customLong("max-in-flight"),
        help: "Pipelined requests one connection may have in flight; reading pauses beyond.")
    var maximumInFlight: Int = 8

    func validate() throws {
        for (name, value) in [
            ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
            ("--send-timeout", sendTimeout),
        ] where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(name) must be a number of seconds above 0 and at most 86400, not \(value)")
        }
        guard (1...1024).contains(maximumInFlight) else {
            throw ValidationError("--max-in-flight must be between 1 and 1024, not \(maximumInFlight)")
        }
    }

    var serverLimits: ServerLimits {
        func amount(_ seconds: Double) -> TimeAmount { .milliseconds(Int64((seconds * 1000).rounded())) }
        return ServerLimits(
            headerTimeout: amount(headerTimeout), bodyTimeout: amount(bodyTimeout), idleTimeout: amount(idleTimeout),
            sendTimeout: amount(sendTimeout), maximumInFlight: maximumInFlight)
    }
}

/// Writes a line to standard output at once (not buffered), for long-running verbs.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
