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
/// I seconds, a quota can be overrun by at most about (N − 1) · r · 2I requests (see the README's cluster section).
public final class QuotaLedger: Sendable {
    struct Counter {
        var periodStart: String
        /// The count stored at the last flush or load.
        var stored: Int
        /// Requests counted here and not yet added to the store.
        var pending = 0
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

    /// This node's part of what is left of each quota between two flushes: 1 alone, 1/N when N nodes serve one
    /// state. A node that has admitted its part since its last flush flushes and reads the others' counts (off
    /// the event loops) before it admits more, so that the nodes together overrun a quota by little even when
    /// requests come faster than the flushes.
    var share: Double {
        get { Double(bitPattern: shareBits.load(ordering: .relaxed)) }
        set { shareBits.store(min(1, max(newValue, 0.000_001)).bitPattern, ordering: .relaxed) }
    }
    private let shareBits = ManagedAtomic<UInt64>(1.0.bitPattern)

    /// The requests a node may admit between flushes: its share of what was left at the last flush.
    static func budget(limit: Int, stored: Int, share: Double) -> Int {
        guard share < 1 else { return Int.max }
        return max(1, Int((Double(max(0, limit - stored)) * share).rounded(.up)))
    }

    /// Whether the counts of `key` under `plan` for `dates` are in memory, so that `take` has what is stored,
    /// and, with several nodes, this node has not admitted its part of what was left since its last flush.
    func isLoaded(plan: String, key: String, limit: Int = .max, _ dates: Dates) -> Bool {
        guard persistence != nil else { return true }
        let share = self.share
        return counters.withLockedValue {
            $0[plan + "|" + key].map {
                $0.periodStart == dates.period && $0.day == dates.day
                    && ($0.used >= limit
                        || $0.pending < QuotaLedger.budget(limit: limit, stored: $0.stored, share: share))
            }
        } ?? false
    }

    /// Reads the stored counts of `key` under `plan` for `dates`, first adding what this node counted when it
    /// has (blocking: call off the event loops).
    func load(plan: String, key: String, _ dates: Dates) {
        let pending = counters.withLockedValue { $0[plan + "|" + key].map { $0.pending > 0 } } ?? false
        if pending, flush() { return }
        let stored = (try? persistence?.quotaUsed(plan: plan, key: key, periodStart: dates.period)) ?? 0
        let storedToday = (try? persistence?.dailyUsed(plan: plan, key: key, day: dates.day)) ?? 0
        counters.withLockedValue { counters in
            var counter = QuotaLedger.current(
                counters[plan + "|" + key], dates, stored: stored, storedToday: storedToday)
            counter.stored = max(counter.stored, stored)
            counters[plan + "|" + key] = counter
        }
    }

    /// Counts one request of `key` under `plan`; false when the quota is spent (the request is not counted).
    /// Reads nothing: counts not `load`ed start from zero.
    func take(plan: String, key: String, limit: Int, _ dates: Dates, now: UInt64 = 0) -> Bool {
        counters.withLockedValue { counters in
            let name = plan + "|" + key
            var counter = QuotaLedger.current(counters[name], dates, stored: 0, storedToday: 0)
            defer { counters[name] = counter }
            guard counter.used < limit else { return false }
            counter.pending += 1
            counter.pendingToday += 1
            counter.touched = now
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
            counters.compactMap { name, counter in
                guard
                    counter.pending > 0 || counter.pendingToday > 0
                        || (now >= counter.touched && now - counter.touched < QuotaLedger.refreshWindow)
                else { return nil }
                let parts = name.split(separator: "|", maxSplits: 1).map(String.init)
                return QuotaCount(
                    plan: parts[0], key: parts[1], periodStart: counter.periodStart, used: counter.pending,
                    day: counter.day.isEmpty ? nil : counter.day, usedToday: counter.pendingToday)
            }
        }
        guard !sent.isEmpty else { return true }
        guard let totals = try? persistence.addCounts(sent), totals.count == sent.count else {
            // Not written: the pending counts stay, so that the next flush adds them.
            return false
        }
        counters.withLockedValue { counters in
            for (delta, total) in zip(sent, totals) {
                let name = delta.plan + "|" + delta.key
                guard var counter = counters[name] else { continue }
                if counter.periodStart == delta.periodStart {
                    counter.pending -= delta.used
                    counter.stored = total.used
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
