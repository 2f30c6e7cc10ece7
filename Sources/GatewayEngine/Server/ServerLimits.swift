import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// How long the gateway waits on a client, and how much one connection may have in hand. The defaults follow
/// nginx's (`client_header_timeout`, `client_body_timeout`, `send_timeout` 60 s, `keepalive_timeout` 75 s) made
/// shorter where a slow client costs a gateway more than it costs a web server, and an AWS load balancer's
/// 60-second idle timeout for kept-alive connections.
public struct ServerLimits: Sendable, Equatable {
    /// From a request's first byte until its whole head (request line and headers) is in.
    public var headerTimeout: TimeAmount
    /// The longest pause between two reads of a request body.
    public var bodyTimeout: TimeAmount
    /// How long a kept-alive connection may sit with no request before it is closed.
    public var idleTimeout: TimeAmount
    /// How long answers may wait for a client that does not read them.
    public var sendTimeout: TimeAmount
    /// Requests one connection may have read and not yet answered (pipelined); reading pauses at this many.
    public var maximumInFlight: Int

    public init(
        headerTimeout: TimeAmount = .seconds(20), bodyTimeout: TimeAmount = .seconds(30),
        idleTimeout: TimeAmount = .seconds(60), sendTimeout: TimeAmount = .seconds(60), maximumInFlight: Int = 8
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.sendTimeout = sendTimeout
        self.maximumInFlight = max(1, maximumInFlight)
    }

    /// Raises this process's soft limit on open files to its hard limit (a gateway holds one per connection and
    /// one per backend connection; many systems start processes at 1,024). Returns the limit now in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(clamping: raised.rlim_cur) }
        }
        return Int(clamping: limit.rlim_cur)
    }
}

/// The client connections a listener holds, so that when file descriptors run out the oldest idle ones can be
/// closed to make room (rather than refusing every newcomer while idle keep-alives sit on the descriptors).
/// Touched once when a connection opens and once when it closes; each connection keeps its own idle time, read
/// on its loop only when shedding.
final class ConnectionRegistry: Sendable {
    private let entries = NIOLockedValueBox<[ObjectIdentifier: (Channel, NIOLoopBound<GatewayHTTPHandler>)]>([:])
    private let shedding = NIOLockedValueBox(false)

    var count: Int { entries.withLockedValue { $0.count } }

    func add(_ channel: Channel, handler: NIOLoopBound<GatewayHTTPHandler>) {
        entries.withLockedValue { $0[ObjectIdentifier(channel)] = (channel, handler) }
    }

    func remove(_ channel: Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Closes up to `count` of the connections that have been idle longest (asking each on its own loop how long
    /// it has been idle). One round at a time.
    func shedIdle(_ count: Int) {
        guard
            shedding.withLockedValue({ busy in
                defer { busy = true }
                return !busy
            })
        else { return }
        let all = entries.withLockedValue { Array($0.values) }
        guard let loop = all.first?.0.eventLoop else {
            shedding.withLockedValue { $0 = false }
            return
        }
        let ages = all.map { channel, handler in
            channel.eventLoop.submit { () -> (ObjectIdentifier, NIODeadline?) in
                (ObjectIdentifier(channel), handler.value.idleSince)
            }
        }
        let channels = Dictionary(all.map { (ObjectIdentifier($0.0), $0.0) }, uniquingKeysWith: { first, _ in first })
        EventLoopFuture.whenAllComplete(ages, on: loop).whenComplete { results in
            let idle = ((try? results.get()) ?? []).compactMap { try? $0.get() }
                .compactMap { id, since in since.map { (id, $0) } }
                .sorted { $0.1 < $1.1 }.prefix(count)
            for (id, _) in idle { channels[id]?.close(promise: nil) }
            self.shedding.withLockedValue { $0 = false }
        }
    }

    /// Closes every connection (the listener is stopping).
    func closeAll() {
        let channels = entries.withLockedValue { entries in entries.values.map(\.0) }
        for channel in channels { channel.close(promise: nil) }
    }
}
