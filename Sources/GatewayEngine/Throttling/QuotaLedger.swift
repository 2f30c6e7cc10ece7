import Foundation
import GatewayModel
import NIOConcurrencyHelpers

/// Where quota counts are kept between runs.
public protocol QuotaPersistence: Sendable {
    /// The requests a key has made under a plan in the period starting at `periodStart`.
    func quotaUsed(plan: String, key: String, periodStart: String) throws -> Int
    /// Records the requests made in a period.
    func saveQuotaUsed(_ used: Int, plan: String, key: String, periodStart: String) throws
    /// The requests a key made under a plan on a UTC day.
    func dailyUsed(plan: String, key: String, day: String) throws -> Int
    /// Records the requests made on a UTC day.
    func saveDailyUsed(_ used: Int, plan: String, key: String, day: String) throws
    /// Records many counts at once (one transaction where the persistence has them).
    func saveCounts(_ counts: [QuotaCount]) throws
}

/// One key's counts under one plan, as a flush writes them.
public struct QuotaCount: Sendable {
    public var plan: String
    public var key: String
    public var periodStart: String
    public var used: Int
    /// The UTC day and its count, when one is kept.
    public var day: String?
    public var usedToday: Int
}

extension QuotaPersistence {
    public func saveCounts(_ counts: [QuotaCount]) throws {
        for count in counts {
            try saveQuotaUsed(count.used, plan: count.plan, key: count.key, periodStart: count.periodStart)
            if let day = count.day { try saveDailyUsed(count.usedToday, plan: count.plan, key: count.key, day: day) }
        }
    }
}

/// Usage-plan quotas: requests per key and plan in the current DAY, WEEK (from Monday) or MONTH, in UTC.
/// Counts are loaded from the persistence on first use (`load`, which the engine runs off its event loops) and
/// written back by `flush()`, in one transaction, also off the loops.
public final class QuotaLedger: Sendable {
    struct Counter {
        var periodStart: String
        var used: Int
        var dirty: Bool
        /// The UTC day counted in `usedToday` (for GetUsage's per-day figures).
        var day = ""
        var usedToday = 0
    }

    private let counters = NIOLockedValueBox<[String: Counter]>([:])
    let persistence: QuotaPersistence?

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

    /// Whether the counts of `key` under `plan` for `dates` are in memory, so that `take` has what is stored.
    func isLoaded(plan: String, key: String, _ dates: Dates) -> Bool {
        guard persistence != nil else { return true }
        return counters.withLockedValue {
            $0[plan + "|" + key].map { $0.periodStart == dates.period && $0.day == dates.day }
        } ?? false
    }

    /// Reads the stored counts of `key` under `plan` for `dates` (blocking: call off the event loops).
    func load(plan: String, key: String, _ dates: Dates) {
        let stored = (try? persistence?.quotaUsed(plan: plan, key: key, periodStart: dates.period)) ?? 0
        let storedToday = (try? persistence?.dailyUsed(plan: plan, key: key, day: dates.day)) ?? 0
        counters.withLockedValue { counters in
            counters[plan + "|" + key] = QuotaLedger.current(
                counters[plan + "|" + key], dates, stored: stored, storedToday: storedToday)
        }
    }

    /// Counts one request of `key` under `plan`; false when the quota is spent (the request is not counted).
    /// Reads nothing: counts not `load`ed start from zero.
    func take(plan: String, key: String, limit: Int, _ dates: Dates) -> Bool {
        counters.withLockedValue { counters in
            let name = plan + "|" + key
            var counter = QuotaLedger.current(counters[name], dates, stored: 0, storedToday: 0)
            defer { counters[name] = counter }
            guard counter.used < limit else { return false }
            counter.used += 1
            counter.usedToday += 1
            counter.dirty = true
            return true
        }
    }

    /// `counter` carried into `dates`: a new period starts from `stored`, a new day from `storedToday`.
    private static func current(_ counter: Counter?, _ dates: Dates, stored: Int, storedToday: Int) -> Counter {
        var counter = counter ?? Counter(periodStart: dates.period, used: stored, dirty: false)
        if counter.periodStart != dates.period {
            counter = Counter(periodStart: dates.period, used: stored, dirty: false)
        }
        if counter.day != dates.day {
            counter.day = dates.day
            counter.usedToday = storedToday
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
            counters[name] = Counter(periodStart: start, used: stored, dirty: false)
            return stored
        }
    }

    /// Sets the count of the current period (UpdateUsage); written with the next flush.
    func setUsed(_ used: Int, plan: String, key: String, period: QuotaPeriod, now: Date) {
        let start = QuotaLedger.periodStart(period, now: now)
        counters.withLockedValue { counters in
            var counter = Counter(periodStart: start, used: max(0, used), dirty: true)
            if let known = counters[plan + "|" + key] {
                counter.day = known.day
                counter.usedToday = known.usedToday
            }
            counters[plan + "|" + key] = counter
        }
    }

    /// Writes every changed count to the persistence, in one transaction (blocking: call off the event loops).
    func flush() {
        guard let persistence else { return }
        let dirty = counters.withLockedValue { counters -> [(String, Counter)] in
            let changed = counters.filter(\.value.dirty)
            for name in changed.keys { counters[name]?.dirty = false }
            return Array(changed)
        }
        guard !dirty.isEmpty else { return }
        let counts = dirty.map { name, counter in
            let parts = name.split(separator: "|", maxSplits: 1).map(String.init)
            return QuotaCount(
                plan: parts[0], key: parts[1], periodStart: counter.periodStart, used: counter.used,
                day: counter.day.isEmpty ? nil : counter.day, usedToday: counter.usedToday)
        }
        do {
            try persistence.saveCounts(counts)
        } catch {
            // Not written: mark them changed again, so that the next flush tries.
            counters.withLockedValue { counters in
                for (name, _) in dirty { counters[name]?.dirty = true }
            }
        }
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
