import Foundation
import GatewayEngine
import GatewayStore
import NIOConcurrencyHelpers

/// A node's part in a cluster of Gatehouse nodes sharing one PostgreSQL state: it follows every change made
/// through any node (NOTIFY, checked against the generation every heartbeat, so that a missed notification is
/// caught within a second), flushes caches others flush, heartbeats, and takes its share of every throttle limit
/// from the live node count.
public final class ClusterMembership: Sendable {
    /// This node's id in `gatehouse cluster status`.
    public let nodeId: String
    let control: GatewayControl
    let engine: GatewayEngine
    let address: String
    let report: @Sendable (String) -> Void
    private let notices: StoreNotices?
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    /// The live node count at the last heartbeat, and whether the last heartbeat failed.
    private let heartbeatState = NIOLockedValueBox<(nodes: Int, failing: Bool)>((1, false))

    /// How often a node heartbeats and compares its generation with the state's.
    public static let heartbeatInterval: Duration = .seconds(1)

    init(control: GatewayControl, engine: GatewayEngine, address: String, report: @escaping @Sendable (String) -> Void)
    {
        var host = ProcessInfo.processInfo.hostName
        if host.isEmpty { host = "node" }
        nodeId = "\(host)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        self.control = control
        self.engine = engine
        self.address = address
        self.report = report
        notices = control.store.notices()
    }

    /// The live nodes at the last heartbeat (this one included).
    public var liveNodes: Int { heartbeatState.withLockedValue { $0.nodes } }

    func start() throws {
        try beat()
        let follow = Task { [self] in
            guard let notices else { return }
            for await notice in notices.stream { await handle(notice) }
        }
        let heartbeat = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: ClusterMembership.heartbeatInterval)
                if Task.isCancelled { break }
                await catchUp()
                do {
                    try beat()
                    let recovered = heartbeatState.withLockedValue { state -> Bool in
                        defer { state.failing = false }
                        return state.failing
                    }
                    if recovered { report("heartbeats reach the state again; this node counts among \(liveNodes)") }
                } catch {
                    let first = heartbeatState.withLockedValue { state -> Bool in
                        defer { state.failing = true }
                        return !state.failing
                    }
                    if first { report("heartbeat failed (\(error)); throttle shares stay as they were") }
                }
            }
        }
        tasks.withLockedValue { $0 = [follow, heartbeat] }
    }

    /// Records this node's heartbeat and takes its share of the limits from the live node count.
    private func beat() throws {
        let generation = control.servedGenerationSnapshot
        let lag = engine.quotaFlushAge.map { Double($0.nanoseconds) / 1e9 }
        let nodes = max(
            1, try control.store.heartbeat(node: nodeId, address: address, generation: generation, flushLag: lag))
        heartbeatState.withLockedValue { $0.nodes = nodes }
        engine.throttleShare = 1 / Double(nodes)
    }

    /// Serves the state's newest configuration when it has moved past what is served.
    func catchUp() async {
        guard let current = try? control.store.generation() else { return }
        if current != control.servedGenerationSnapshot { await republish() }
    }

    private func republish() async {
        do {
            try await control.publishToEngine()
        } catch {
            report("\(error)")
        }
    }

    private func handle(_ notice: StoreNotice) async {
        switch notice {
        case .changed(let generation):
            if generation != control.servedGenerationSnapshot { await republish() }
        case .cacheFlushed(let api, let stage, let authorizers):
            if authorizers {
                engine.flushAuthorizersCache(api: api, stage: stage)
            } else {
                engine.flushCache(api: api, stage: stage)
            }
        case .cacheInvalidated(let api, let stage, let key):
            engine.invalidateCache(api: api, stage: stage, key: key)
        case .connected:
            await catchUp()
        case .disconnected(let reason):
            report("\(reason); serving the last configuration until it is back")
        }
    }

    /// Stops following and heartbeating, and leaves the live node count at once.
    public func leave() async {
        let running = tasks.withLockedValue { tasks -> [Task<Void, Never>] in
            defer { tasks = [] }
            return tasks
        }
        for task in running { task.cancel() }
        notices?.stop()
        for task in running { await task.value }
        engine.onCacheInvalidation(nil)
        try? control.store.leave(node: nodeId)
    }
}

extension GatewayControl {
    /// Makes the attached engine a node of the cluster that serves this shared (PostgreSQL) state; nil for a
    /// SQLite state, which `serve` follows by its generation. `address` is what `cluster status` shows;
    /// `report` hears of lost and regained connections and of failed reloads.
    public func joinCluster(address: String, report: @escaping @Sendable (String) -> Void) throws -> ClusterMembership?
    {
        guard store.isShared, let engine else { return nil }
        let membership = ClusterMembership(control: self, engine: engine, address: address, report: report)
        let store = self.store
        engine.onCacheInvalidation { api, stage, key in
            Task.detached {
                do {
                    try store.announceCacheInvalidation(api: api, stage: stage, key: key)
                } catch {
                    report("the other nodes were not told of a cache invalidation: \(error)")
                }
            }
        }
        try membership.start()
        return membership
    }

    /// The served generation, readable from outside the actor.
    nonisolated var servedGenerationSnapshot: Int { generationBox.withLockedValue { $0 } }
}
