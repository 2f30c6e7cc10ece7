import Atomics
import Foundation
import GatewayModel
import NIOConcurrencyHelpers
import NIOCore

/// Where quota counts are kept between runs, and shared between the nodes that serve one state.
public protocol QuotaPersistence: Sendable {
    /// The requests a key has made under a plan in the period starting at `periodStart`.
    func quotaUsed(plan: String, key: String, periodStart: String) throws -> Int
    /// Sets the requests made in a period (UpdateUsage).
    func saveQuotaUsed(_ used: Int, plan: String, key: String, periodStart: String) throws
    /// The requests a key made under a plan on a UTC day.
    func dailyUsed(plan: String, key: String, day: String) throws -> Int
    /// Adds each count's requests (`used`, `usedToday`) to the stored counts, in one transaction where the
    /// persistence has them, and answers the stored counts after: with several nodes, what all of them counted.
    func addCounts(_ counts: [QuotaCount]) throws -> [QuotaCount]
    /// Counts up to `requests` in advance for one node, as far as `limit` allows, in one transaction that no other
    /// node's reservation interleaves with; answers how many were granted and the stored count after.
    func reserveQuota(_ requests: Int, limit: Int, plan: String, key: String, periodStart: String) throws
        -> (granted: Int, stored: Int)
}

extension QuotaPersistence {
    public func reserveQuota(_ requests: Int, limit: Int, plan: String, key: String, periodStart: String) throws
        -> (granted: Int, stored: Int)
    {
        (0, try quotaUsed(plan: plan, key: key, periodStart: periodStart))
    }
}

/// One key's counts under one plan: what a flush adds, or what is stored.
public struct QuotaCount: Sendable {
    public var plan: String
    public var key: String
    public var periodStart: String
    public var used: Int
    /// The UTC day and its count, when one is kept.
    public var day: String?
    public var usedToday: Int
    /// Of `used`, the reserved requests handed back (counted negative in `used`).
    public var returned = 0

    public init(plan: String, key: String, periodStart: String, used: Int, day: String?, usedToday: Int) {
        self.plan = plan
        self.key = key
        self.periodStart = periodStart
        self.used = used
        self.day = day
        self.usedToday = usedToday
    }
}

/// Usage-plan quotas: requests per key and plan in the current DAY, WEEK (from Monday) or MONTH, in UTC.
///
/// Each counter holds what was stored at the last flush (`stored`, the cluster's count when several nodes serve
/// one state) and what this process has counted since (`pending`); a request is admitted while the sum is under
/// the limit. Counts are loaded from the persistence on first use (`load`, which the engine runs off its event
/// loops); `flush()` adds the pending counts to the stored ones (an upsert that adds, so that nodes never
/// overwrite one another) and reads back the totals, in one transaction, also off the loops. Between flushes a
/// node does not see what the others counted: with N nodes each admitting r requests a second and a flush every
/// I seconds, a quota could be overrun by about (N − 1) · r · 2I requests. So with several nodes (`share` < 1) a node
/// admits only requests it has reserved: it counts a part of what is left in advance (`reserveQuota`, one
/// transaction that locks the key's row, off the event loops), admits against it, and hands back what it did not
/// use at its next flush. Nodes together then never admit more than the quota; a node killed with reservations
/// in hand leaves them counted (at most its last part) until the period ends.
public final class QuotaLedger: Sendable {
    struct Counter {
        var periodStart: String
        /// The count stored at the last flush or load.
        var stored: Int
        /// Requests counted here and not yet added to the store.
        var pending = 0
        /// Requests reserved in the store for this node (with several nodes) and not admitted yet.
        var granted = 0
        /// The last reservation failed (the store is out of reach): requests are counted as one node counts them,
        /// to be added when the store is back.
        var unreserved = false
        /// The UTC day counted in `storedToday` and `pendingToday` (for GetUsage's per-day figures).
        var day = ""
        var storedToday = 0
        var pendingToday = 0
        /// When a request last counted here (uptime nanoseconds): counters idle for a while are not refreshed.
        var touched: UInt64 = 0

        var used: Int { stored + pending }
    }

    private let counters = NIOLockedValueBox<[String: Counter]>([:])
    /// Held through a flush, so that two flushes never add the same pending counts.
    private let flushing = NIOLock()
    /// When a flush last succeeded (uptime nanoseconds; 0 before the first).
    private let lastFlush = NIOLockedValueBox<UInt64>(0)
    let persistence: QuotaPersistence?
    /// Counters untouched for this long are no longer read back at each flush (they are read again on next use).
    static let refreshWindow: UInt64 = 60_000_000_000

    init(persistence: QuotaPersistence?) { self.persistence = persistence }

    /// The ISO dates (UTC) a request is counted under: its quota period's first day and its own day.
    struct Dates {
        var period: String
        var day: String
    }

    /// The dates `now` is counted under for `period` (one calendar reading).
    static func dates(_ period: QuotaPeriod, now: Date) -> Dates {
        let (start, day) = periodStarts(period, now: now)
        return Dates(period: start, day: day)
    }

    /// This node's part of the nodes serving one state: 1 alone, 1/N with N nodes. Below 1, requests are admitted
    /// against reservations, each of at most half this node's part of what is left.
    var share: Double {
        get { Double(bitPattern: shareBits.load(ordering: .relaxed)) }
        set { shareBits.store(min(1, max(newValue, 0.000_001)).bitPattern, ordering: .relaxed) }
    }
    private let shareBits = ManagedAtomic<UInt64>(1.0.bitPattern)

    /// Whether the counts of `key` under `plan` for `dates` are in memory, so that `take` has what is stored,
    /// and, with several nodes, this node holds a reservation (or knows the quota spent).
    func isLoaded(plan: String, key: String, limit: Int = .max, _ dates: Dates) -> Bool {
        guard persistence != nil else { return true }
        let shared = share < 1
        return counters.withLockedValue { counters -> Bool in
            guard let counter = counters[plan + "|" + key], counter.periodStart == dates.period,
                counter.day == dates.day
            else { return false }
            return !shared || counter.granted > 0 || counter.used >= limit || counter.unreserved
        }
    }

    /// Reads the stored counts of `key` under `plan` for `dates`; with several nodes, reserves a part of what is
    /// left of `limit` for this node (blocking: call off the event loops).
    func load(plan: String, key: String, limit: Int = .max, _ dates: Dates) {
        let name = plan + "|" + key
        let share = self.share
        var stored = (try? persistence?.quotaUsed(plan: plan, key: key, periodStart: dates.period)) ?? 0
        var granted = 0
        var unreserved = false
        if share < 1, limit != .max, stored < limit {
            let part = max(1, Int((Double(limit - stored) * share / 2).rounded(.up)))
            if let reserved = try? persistence?.reserveQuota(
                part, limit: limit, plan: plan, key: key, periodStart: dates.period)
            {
                granted = reserved.granted
                stored = reserved.stored
            } else {
                unreserved = true
            }
        }
        let storedToday = (try? persistence?.dailyUsed(plan: plan, key: key, day: dates.day)) ?? 0
        counters.withLockedValue { counters in
            var counter = QuotaLedger.current(counters[name], dates, stored: stored, storedToday: storedToday)
            counter.stored = max(counter.stored, stored)
            counter.granted += granted
            counter.unreserved = unreserved
            counters[name] = counter
        }
    }

    /// Counts one request of `key` under `plan`; false when the quota is spent (the request is not counted).
    /// Reads nothing: counts not `load`ed start from zero. With several nodes only reserved requests are admitted.
    func take(plan: String, key: String, limit: Int, _ dates: Dates, now: UInt64 = 0) -> Bool {
        let shared = share < 1
        return counters.withLockedValue { counters in
            let name = plan + "|" + key
            var counter = QuotaLedger.current(counters[name], dates, stored: 0, storedToday: 0)
            defer { counters[name] = counter }
            counter.touched = now
            if counter.granted > 0 {
                counter.granted -= 1
            } else {
                guard !shared || counter.unreserved, counter.used < limit else { return false }
                counter.pending += 1
            }
            counter.pendingToday += 1
            return true
        }
    }

    /// `counter` carried into `dates`: a new period starts from `stored`, a new day from `storedToday`.
    private static func current(_ counter: Counter?, _ dates: Dates, stored: Int, storedToday: Int) -> Counter {
        var counter = counter ?? Counter(periodStart: dates.period, stored: stored)
        if counter.periodStart != dates.period {
            counter = Counter(periodStart: dates.period, stored: stored, touched: counter.touched)
        }
        if counter.day != dates.day {
            counter.day = dates.day
            counter.storedToday = storedToday
            counter.pendingToday = 0
        }
        return counter
    }

    /// The requests counted for a key under a plan in the `period` containing `now`, read from the persistence
    /// (once) when this process has not counted any yet.
    func used(plan: String, key: String, period: QuotaPeriod, now: Date) -> Int {
        let start = QuotaLedger.periodStart(period, now: now)
        let name = plan + "|" + key
        if let counter = counters.withLockedValue({ $0[name] }), counter.periodStart == start { return counter.used }
        let stored = (try? persistence?.quotaUsed(plan: plan, key: key, periodStart: start)) ?? 0
        return counters.withLockedValue { counters in
            if let counter = counters[name], counter.periodStart == start { return counter.used }
            counters[name] = Counter(periodStart: start, stored: stored)
            return stored
        }
    }

    /// Sets the count of the current period (UpdateUsage), in the persistence at once (blocking: call off the
    /// event loops); what this process counted and had not flushed yet is dropped with the old count.
    func setUsed(_ used: Int, plan: String, key: String, period: QuotaPeriod, now: Date) throws {
        let start = QuotaLedger.periodStart(period, now: now)
        try persistence?.saveQuotaUsed(max(0, used), plan: plan, key: key, periodStart: start)
        counters.withLockedValue { counters in
            // Reservations go with the old count.
            var counter = Counter(periodStart: start, stored: max(0, used))
            if let known = counters[plan + "|" + key] {
                counter.day = known.day
                counter.storedToday = known.storedToday
                counter.pendingToday = known.pendingToday
                counter.touched = known.touched
            }
            counters[plan + "|" + key] = counter
        }
    }

    /// Adds every pending count to the persistence and reads back the stored totals of the counters in use, in
    /// one transaction (blocking: call off the event loops). Returns whether the persistence took them (true
    /// when there was nothing to write).
    @discardableResult
    func flush(now: UInt64 = NIODeadline.now().uptimeNanoseconds) -> Bool {
        guard let persistence else { return true }
        return flushing.withLock {
            let written = flushLocked(persistence, now: now)
            if written { lastFlush.withLockedValue { $0 = now } }
            return written
        }
    }

    /// When a flush last succeeded (uptime nanoseconds), nil before the first.
    var lastFlushed: UInt64? { lastFlush.withLockedValue { $0 == 0 ? nil : $0 } }

    private func flushLocked(_ persistence: QuotaPersistence, now: UInt64) -> Bool {
        let sent = counters.withLockedValue { counters -> [QuotaCount] in
            let sent = counters.compactMap { name, counter -> QuotaCount? in
                guard
                    counter.pending > 0 || counter.pendingToday > 0 || counter.granted > 0
                        || (now >= counter.touched && now - counter.touched < QuotaLedger.refreshWindow)
                else { return nil }
                let parts = name.split(separator: "|", maxSplits: 1).map(String.init)
                // What was reserved and not admitted goes back.
                var count = QuotaCount(
                    plan: parts[0], key: parts[1], periodStart: counter.periodStart,
                    used: counter.pending - counter.granted, day: counter.day.isEmpty ? nil : counter.day,
                    usedToday: counter.pendingToday)
                count.returned = counter.granted
                return count
            }
            // Reservations handed back can no longer be admitted against (a request counted between this and
            // the write would be handed back too, and counted by nobody).
            for count in sent where count.returned > 0 { counters[count.plan + "|" + count.key]?.granted = 0 }
            return sent
        }
        guard !sent.isEmpty else { return true }
        guard let totals = try? persistence.addCounts(sent), totals.count == sent.count else {
            // Not written: the pending counts stay, so that the next flush adds them; the reservations are kept.
            counters.withLockedValue { counters in
                for count in sent where count.returned > 0 {
                    let name = count.plan + "|" + count.key
                    if counters[name]?.periodStart == count.periodStart { counters[name]?.granted += count.returned }
                }
            }
            return false
        }
        counters.withLockedValue { counters in
            for (delta, total) in zip(sent, totals) {
                let name = delta.plan + "|" + delta.key
                guard var counter = counters[name] else { continue }
                if counter.periodStart == delta.periodStart {
                    counter.pending -= delta.used + delta.returned
                    counter.stored = total.used
                    // The store answers again: reservations from the next request on.
                    counter.unreserved = false
                }
                if counter.day == delta.day {
                    counter.pendingToday -= delta.usedToday
                    counter.storedToday = total.usedToday
                }
                counters[name] = counter
            }
        }
        return true
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The ISO date (UTC) the period containing `now` started on.
    public static func periodStart(_ period: QuotaPeriod, now: Date) -> String { periodStarts(period, now: now).period }

    /// The ISO dates (UTC) of the start of the period containing `now` and of its day, from one calendar reading.
    static func periodStarts(_ period: QuotaPeriod, now: Date) -> (period: String, day: String) {
        func iso(_ components: DateComponents) -> String {
            String(format: "%04d-%02d-%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0)
        }
        let components = utc.dateComponents([.year, .month, .day, .weekday], from: now)
        let day = iso(components)
        switch period {
        case .day:
            return (day, day)
        case .week:
            let daysSinceMonday = ((components.weekday ?? 2) + 5) % 7
            let monday = utc.date(byAdding: .day, value: -daysSinceMonday, to: utc.startOfDay(for: now))!
            return (iso(utc.dateComponents([.year, .month, .day], from: monday)), day)
        case .month:
            var first = components
            first.day = 1
            return (iso(first), day)
        }
    }
}
