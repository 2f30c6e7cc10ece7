import GatewayModel
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Checks load balancer targets with a TCP connect, takes unhealthy ones out of rotation and puts them back
/// when they recover, and moves PENDING VPC links to AVAILABLE (a target answered) or FAILED (none did after
/// `pendingAttempts` rounds).
final class HealthChecker: Sendable {
    /// Reports a VPC link's new status.
    typealias StatusHandler = @Sendable (_ linkId: String, _ status: VpcLinkStatus, _ message: String) -> Void

    let group: EventLoopGroup
    let directory: VpcLinkDirectory
    let interval: TimeAmount
    let connectTimeout: TimeAmount
    let pendingAttempts: Int
    private let state = NIOLockedValueBox<State>(State())

    struct State {
        var links: [VpcLink] = []
        var balancers: [String: LoadBalancer] = [:]
        var attempts: [String: Int] = [:]
        var task: RepeatedTask?
        var onStatus: StatusHandler?
        var running = false
    }

    init(
        group: EventLoopGroup, directory: VpcLinkDirectory, interval: TimeAmount = .milliseconds(500),
        connectTimeout: TimeAmount = .seconds(1), pendingAttempts: Int = 10
    ) {
        self.group = group
        self.directory = directory
        self.interval = interval
        self.connectTimeout = connectTimeout
        self.pendingAttempts = pendingAttempts
    }

    /// Starts checking every `interval`.
    func start(onStatus: @escaping StatusHandler) {
        state.withLockedValue { state in
            state.onStatus = onStatus
            guard state.task == nil else { return }
            // The task holds the checker until `stop()` cancels it.
            state.task = group.next().scheduleRepeatedAsyncTask(initialDelay: .zero, delay: interval) { _ in
                self.round()
            }
        }
    }

    /// Stops checking.
    func stop() {
        state.withLockedValue { state in
            state.task?.cancel()
            state.task = nil
        }
    }

    /// Follows a new configuration.
    func update(links: [VpcLink], balancers: [LoadBalancer]) {
        state.withLockedValue { state in
            state.links = links
            state.balancers = Dictionary(uniqueKeysWithValues: balancers.map { ($0.name, $0) })
            let pending = Set(links.filter { $0.status == .pending }.map(\.id))
            state.attempts = state.attempts.filter { pending.contains($0.key) }
        }
    }

    /// One round: check every target of every balancer a link uses, then settle pending links.
    func round() -> EventLoopFuture<Void> {
        let (links, balancers) = state.withLockedValue { ($0.links, $0.balancers) }
        let loop = group.next()
        let used = Set(links.compactMap(\.balancerName))
        var checks: [EventLoopFuture<Void>] = []
        for name in used {
            guard let balancer = balancers[name] else { continue }
            for target in balancer.targets {
                checks.append(
                    check(target, on: loop).map { reason in
                        self.directory.setHealth(balancer: name, target: target, healthy: reason == nil, reason: reason)
                    })
            }
        }
        return EventLoopFuture.andAllComplete(checks, on: loop).map { self.settle(links, balancers) }
    }

    private func settle(_ links: [VpcLink], _ balancers: [String: LoadBalancer]) {
        var reports: [(String, VpcLinkStatus, String)] = []
        let handler = state.withLockedValue { state -> StatusHandler? in
            for link in links where link.status == .pending {
                guard let name = link.balancerName,
                    let balancer = balancers[name]
                else {
                    reports.append((link.id, .failed, "The target load balancer does not exist"))
                    continue
                }
                if !directory.healthyTargets(balancer: name).isEmpty {
                    reports.append((link.id, .available, VpcLink.readyMessage))
                    continue
                }
                let attempts = (state.attempts[link.id] ?? 0) + 1
                state.attempts[link.id] = attempts
                if attempts >= pendingAttempts {
                    let reasons = directory.health(balancer: name).map { target, _, reason in
                        "\(target) (\(reason ?? "unreachable"))"
                    }
                    reports.append(
                        (
                            link.id, .failed,
                            "No target of load balancer \(balancer.name) answered after \(attempts) health checks: \(reasons.joined(separator: ", "))"
                        ))
                }
            }
            // Report each change once: mark the link as no longer pending here.
            let changed = Set(reports.map(\.0))
            state.links = state.links.map { link in
                guard changed.contains(link.id), let report = reports.first(where: { $0.0 == link.id }) else {
                    return link
                }
                var updated = link
                updated.status = report.1
                updated.statusMessage = report.2
                return updated
            }
            return state.onStatus
        }
        for (id, status, message) in reports { handler?(id, status, message) }
    }

    /// nil when the target accepts a TCP connection, else why not.
    func check(_ target: Target, on loop: EventLoop) -> EventLoopFuture<String?> {
        ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .connect(host: target.host, port: target.port)
            .flatMap { channel in channel.close().map { nil } }
            .flatMapErrorThrowing { error in
                if case ChannelError.connectTimeout = error { return "connection timed out" }
                let text = String(describing: error)
                if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
                if text.localizedCaseInsensitiveContains("unreachable") { return "host unreachable" }
                return text
            }
    }
}
