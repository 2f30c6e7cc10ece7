import Atomics
import GatewayModel
import NIOConcurrencyHelpers

/// Every token bucket of the engine, by name, in shards with a lock each. Buckets outlive snapshots, so a
/// redeploy or a settings change keeps the tokens already spent.
///
/// With several nodes serving one state, each node's buckets hold its `share` of every limit (1 / the live node
/// count): rate × share, and burst × share but never under one request. Over any T seconds the nodes together
/// admit at most R·T + max(B, N), R·T + B whenever the burst is at least the node count.
final class ThrottleRegistry: Sendable {
    private let shards: [NIOLockedValueBox<[String: TokenBucket]>]
    private let shareBits = ManagedAtomic<UInt64>(1.0.bitPattern)

    /// This node's part of every limit (1 alone).
    var share: Double {
        get { Double(bitPattern: shareBits.load(ordering: .relaxed)) }
        set { shareBits.store(min(1, max(newValue, 0.000_001)).bitPattern, ordering: .relaxed) }
    }

    init(shardCount: Int = 16) {
        shards = (0..<shardCount).map { _ in NIOLockedValueBox([:]) }
    }

    /// Takes a token from the bucket `name`, creating it full with `settings` on first use.
    func take(_ name: String, settings: ThrottleSettings, now: UInt64) -> Bool {
        let shard = shards[Int(UInt(bitPattern: name.hashValue) % UInt(shards.count))]
        let share = self.share
        let rate = settings.rateLimit * share
        let burst =
            share == 1 || settings.burstLimit == 0
            ? Double(settings.burstLimit) : max(1, Double(settings.burstLimit) * share)
        return shard.withLockedValue { buckets in
            // Found once and changed in place: one hash of the name, not two.
            if let index = buckets.index(forKey: name) {
                if buckets.values[index].rate != rate || buckets.values[index].burst != burst {
                    buckets.values[index].adopt(rate: rate, burst: burst)
                }
                return buckets.values[index].take(now: now)
            }
            var bucket = TokenBucket(rate: rate, burst: burst, now: now)
            let taken = bucket.take(now: now)
            buckets[name] = bucket
            return taken
        }
    }

    /// Forgets every bucket (used when throttling settings are reset).
    func removeAll() {
        for shard in shards { shard.withLockedValue { $0.removeAll() } }
    }
}
