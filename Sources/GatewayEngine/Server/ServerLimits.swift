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
final class ConnectionRegistry: Sendable {
    private struct Entry {
        var channel: Channel
        /// When the connection last became idle (no request read or in flight); nil while busy.
        var idleSince: NIODeadline?
    }

    private let entries = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])

    var count: Int { entries.withLockedValue { $0.count } }

    func add(_ channel: Channel) {
        entries.withLockedValue { $0[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: .now()) }
    }

    func remove(_ channel: Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    func setIdle(_ channel: Channel, _ idle: Bool) {
        entries.withLockedValue { $0[ObjectIdentifier(channel)]?.idleSince = idle ? .now() : nil }
    }

    /// Closes up to `count` of the connections that have been idle longest; returns how many.
    @discardableResult
    func shedIdle(_ count: Int) -> Int {
        let victims = entries.withLockedValue { entries in
            entries.values.compactMap { entry in entry.idleSince.map { (entry.channel, $0) } }
                .sorted { $0.1 < $1.1 }.prefix(count).map(\.0)
        }
        for channel in victims { channel.close(promise: nil) }
        return victims.count
    }

    /// Closes every connection (the listener is stopping).
    func closeAll() {
        let channels = entries.withLockedValue { entries in entries.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }
}
