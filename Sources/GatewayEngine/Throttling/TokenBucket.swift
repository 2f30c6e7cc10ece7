import GatewayModel

/// A token bucket: `burst` tokens at most, refilled at `rate` per second; a request takes one.
struct TokenBucket {
    var rate: Double
    var burst: Double
    var tokens: Double
    var updated: UInt64

    init(_ settings: ThrottleSettings, now: UInt64) {
        self.init(rate: settings.rateLimit, burst: Double(settings.burstLimit), now: now)
    }

    init(rate: Double, burst: Double, now: UInt64) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        updated = now
    }

    /// Takes a token if there is one at `now` (nanoseconds, monotonic).
    mutating func take(now: UInt64) -> Bool {
        if now > updated {
            tokens = min(burst, tokens + Double(now - updated) / 1e9 * rate)
            updated = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Follows a change of the settings, keeping the tokens it has (up to the new burst).
    mutating func adopt(_ settings: ThrottleSettings) {
        adopt(rate: settings.rateLimit, burst: Double(settings.burstLimit))
    }

    mutating func adopt(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        tokens = min(tokens, burst)
    }
}
