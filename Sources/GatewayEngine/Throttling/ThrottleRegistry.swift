import GatewayModel
import NIOConcurrencyHelpers

/// Every token bucket of the engine, by name, in shards with a lock each. Buckets outlive snapshots, so a
/// redeploy or a settings change keeps the tokens already spent.
final class ThrottleRegistry: Sendable {
    private let shards: [NIOLockedValueBox<[String: TokenBucket]>]

    init(shardCount: Int = 16) {
        shards = (0..<shardCount).map { _ in NIOLockedValueBox([:]) }
    }

    /// Takes a token from the bucket `name`, creating it full with `settings` on first use.
    func take(_ name: String, settings: ThrottleSettings, now: UInt64) -> Bool {
        let shard = shards[Int(UInt(bitPattern: name.hashValue) % UInt(shards.count))]
        return shard.withLockedValue { buckets in
            // Found once and changed in place: one hash of the name, not two.
            if let index = buckets.index(forKey: name) {
                if buckets.values[index].rate != settings.rateLimit
                    || buckets.values[index].burst != Double(settings.burstLimit)
                {
                    buckets.values[index].adopt(settings)
                }
                return buckets.values[index].take(now: now)
            }
            var bucket = TokenBucket(settings, now: now)
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
