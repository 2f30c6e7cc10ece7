import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A cached integration response.
struct CachedResponse: Sendable {
    let status: Int
    let headers: [(String, String)]
    let body: ByteBuffer
    let expires: UInt64

    var size: Int { body.readableBytes + headers.reduce(64) { $0 + $1.0.utf8.count + $1.1.utf8.count } }
}

/// One stage's response cache: least recently used entries go first when the budget is full; entries
/// expire after their TTL. Sharded, with a lock per shard.
final class ResponseCache: Sendable {
    /// API Gateway does not cache a response larger than 1 MiB.
    static let maximumEntrySize = 1_048_576

    struct Counters: Sendable, Equatable {
        var hits = 0
        var misses = 0
        var evictions = 0
        var bytes = 0
        var entries = 0
    }

    private let shards: [NIOLockedValueBox<LRUShard>]
    let budget: Int

    init(budget: Int, shardCount: Int = 8) {
        self.budget = budget
        shards = (0..<shardCount).map { _ in NIOLockedValueBox(LRUShard(budget: budget / shardCount)) }
    }

    private func shard(_ key: String) -> NIOLockedValueBox<LRUShard> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }

    /// The live entry for `key`, counting a hit or a miss.
    func lookup(_ key: String, now: UInt64) -> CachedResponse? {
        shard(key).withLockedValue { $0.lookup(key, now: now) }
    }

    /// Stores a response; false when it is too large to cache.
    @discardableResult
    func store(_ key: String, _ response: CachedResponse) -> Bool {
        guard response.size <= ResponseCache.maximumEntrySize else { return false }
        shard(key).withLockedValue { $0.store(key, response) }
        return true
    }

    /// Drops one entry.
    func invalidate(_ key: String) { shard(key).withLockedValue { $0.remove(key) } }

    /// Drops every entry (FlushStageCache).
    func flush() { for shard in shards { shard.withLockedValue { $0.removeAll() } } }

    /// Hits, misses, evictions, bytes and entries over all shards.
    var counters: Counters {
        shards.reduce(into: Counters()) { total, shard in
            let counters = shard.withLockedValue { $0.counters }
            total.hits += counters.hits
            total.misses += counters.misses
            total.evictions += counters.evictions
            total.bytes += counters.bytes
            total.entries += counters.entries
        }
    }
}

/// One shard: a dictionary of nodes in a doubly linked list, most recently used at the head.
struct LRUShard: @unchecked Sendable {  // only touched under its shard's lock
    final class Node {
        let key: String
        var value: CachedResponse
        var previous: Node?
        var next: Node?

        init(key: String, value: CachedResponse) {
            self.key = key
            self.value = value
        }
    }

    let budget: Int
    var nodes: [String: Node] = [:]
    var head: Node?
    var tail: Node?
    var counters = ResponseCache.Counters()

    init(budget: Int) { self.budget = budget }

    mutating func lookup(_ key: String, now: UInt64) -> CachedResponse? {
        guard let node = nodes[key] else {
            counters.misses += 1
            return nil
        }
        if node.value.expires <= now {
            remove(key)
            counters.misses += 1
            return nil
        }
        moveToHead(node)
        counters.hits += 1
        return node.value
    }

    mutating func store(_ key: String, _ value: CachedResponse) {
        if nodes[key] != nil { remove(key) }
        let node = Node(key: key, value: value)
        nodes[key] = node
        insertAtHead(node)
        counters.bytes += value.size
        counters.entries += 1
        while counters.bytes > budget, let last = tail, last !== node {
            remove(last.key)
            counters.evictions += 1
        }
    }

    mutating func remove(_ key: String) {
        guard let node = nodes.removeValue(forKey: key) else { return }
        unlink(node)
        counters.bytes -= node.value.size
        counters.entries -= 1
    }

    mutating func removeAll() {
        nodes.removeAll()
        head = nil
        tail = nil
        counters = ResponseCache.Counters()
    }

    private mutating func insertAtHead(_ node: Node) {
        node.next = head
        node.previous = nil
        head?.previous = node
        head = node
        if tail == nil { tail = node }
    }

    private mutating func unlink(_ node: Node) {
        if let previous = node.previous { previous.next = node.next } else { head = node.next }
        if let next = node.next { next.previous = node.previous } else { tail = node.previous }
        node.previous = nil
        node.next = nil
    }

    private mutating func moveToHead(_ node: Node) {
        guard head !== node else { return }
        unlink(node)
        insertAtHead(node)
    }
}
