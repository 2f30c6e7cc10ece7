import Foundation
import Histogram
import NIOConcurrencyHelpers

/// Figures for one stage or one method of it. The counts since start are `total`, read as the snapshot's own
/// (`snapshot.count`, `snapshot.cacheHits`).
@dynamicMemberLookup
public struct MetricsSnapshot: Sendable, Equatable {
    /// The counts since start.
    public var total = Window()
    /// Latency percentiles in microseconds: p50, p99.
    public var latencyP50 = 0
    public var latencyP99 = 0
    public var integrationLatencyP50 = 0
    public var integrationLatencyP99 = 0
    /// Requests in each of the last 60 seconds, oldest first.
    public var perSecond: [Int] = []
    /// The same counts over the last 60 seconds only.
    public var lastMinute = Window()

    public subscript<Value>(dynamicMember path: KeyPath<Window, Value>) -> Value { total[keyPath: path] }

    /// Counts over a span of time.
    public struct Window: Sendable, Equatable {
        public var count = 0
        public var clientErrors = 0
        public var serverErrors = 0
        public var throttled = 0
        public var cacheHits = 0
        public var cacheMisses = 0

        public init() {}

        mutating func add(_ other: Window) {
            count += other.count
            clientErrors += other.clientErrors
            serverErrors += other.serverErrors
            throttled += other.throttled
            cacheHits += other.cacheHits
            cacheMisses += other.cacheMisses
        }
    }
}

/// Counters and latency histograms for a stage, and for each of its methods.
final class StageMetrics: Sendable {
    struct Figures {
        /// The counts since start; `seconds` holds them for each of the last 60 seconds.
        var total = MetricsSnapshot.Window()
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        var integrationLatency = Histogram<UInt64>(
            highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        var seconds = [MetricsSnapshot.Window](repeating: .init(), count: 60)
        var lastSecond = 0

        mutating func record(_ outcome: RequestOutcome, second: Int) {
            advance(to: second)
            let window = MetricsSnapshot.Window(outcome)
            total.add(window)
            seconds[second % 60].add(window)
            _ = latency.record(UInt64(max(0, outcome.latencyMicros)))
            if let integration = outcome.integrationLatencyMicros {
                _ = integrationLatency.record(UInt64(max(0, integration)))
            }
        }

        mutating func advance(to second: Int) {
            if second - lastSecond >= 60 {
                seconds = [MetricsSnapshot.Window](repeating: .init(), count: 60)
            } else if second > lastSecond {
                for skipped in (lastSecond + 1)...second { seconds[skipped % 60] = .init() }
            }
            lastSecond = max(lastSecond, second)
        }

        /// Forgets the cache figures (the cache was flushed or turned off: its hits start again from nothing).
        mutating func resetCache() {
            total.cacheHits = 0
            total.cacheMisses = 0
            for index in seconds.indices {
                seconds[index].cacheHits = 0
                seconds[index].cacheMisses = 0
            }
        }

        func snapshot(second: Int) -> MetricsSnapshot {
            var copy = self
            copy.advance(to: second)
            var minute = MetricsSnapshot.Window()
            for window in copy.seconds { minute.add(window) }
            return MetricsSnapshot(
                total: total, latencyP50: Int(latency.valueAtPercentile(50)),
                latencyP99: Int(latency.valueAtPercentile(99)),
                integrationLatencyP50: Int(integrationLatency.valueAtPercentile(50)),
                integrationLatencyP99: Int(integrationLatency.valueAtPercentile(99)),
                perSecond: (second - 59...second).map { $0 < 0 ? 0 : copy.seconds[$0 % 60].count },
                lastMinute: minute)
        }
    }

    private let figures = NIOLockedValueBox<(stage: Figures, methods: [String: Figures])>((Figures(), [:]))

    func record(_ outcome: RequestOutcome, method: String?) {
        let second = Int(Date().timeIntervalSince1970)
        figures.withLockedValue { figures in
            figures.stage.record(outcome, second: second)
            if let method { figures.methods[method, default: Figures()].record(outcome, second: second) }
        }
    }

    /// Forgets the stage's cache figures and its methods'.
    func resetCache() {
        figures.withLockedValue { figures in
            figures.stage.resetCache()
            for key in figures.methods.keys { figures.methods[key]?.resetCache() }
        }
    }

    func snapshot() -> (stage: MetricsSnapshot, methods: [String: MetricsSnapshot]) {
        let second = Int(Date().timeIntervalSince1970)
        return figures.withLockedValue { figures in
            (figures.stage.snapshot(second: second), figures.methods.mapValues { $0.snapshot(second: second) })
        }
    }
}

/// What became of one request, for metrics and the access log.
struct RequestOutcome: Sendable {
    enum CacheUse: Sendable { case hit, miss }

    var status: Int
    var throttled: Bool
    var cache: CacheUse?
    var latencyMicros: Int
    var integrationLatencyMicros: Int?
}

extension MetricsSnapshot.Window {
    /// One request's counts.
    init(_ outcome: RequestOutcome) {
        self.init()
        count = 1
        if (400..<500).contains(outcome.status) { clientErrors = 1 }
        if outcome.status >= 500 { serverErrors = 1 }
        if outcome.throttled { throttled = 1 }
        switch outcome.cache {
        case .hit: cacheHits = 1
        case .miss: cacheMisses = 1
        case .none: break
        }
    }
}
