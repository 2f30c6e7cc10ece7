import Foundation
import Histogram
import NIOConcurrencyHelpers

/// Figures for one stage or one method of it.
public struct MetricsSnapshot: Sendable, Equatable {
    public var count = 0
    public var clientErrors = 0
    public var serverErrors = 0
    public var throttled = 0
    public var cacheHits = 0
    public var cacheMisses = 0
    /// Latency percentiles in microseconds: p50, p90, p99.
    public var latencyP50 = 0
    public var latencyP99 = 0
    public var integrationLatencyP50 = 0
    public var integrationLatencyP99 = 0
    /// Requests in each of the last 60 seconds, oldest first.
    public var perSecond: [Int] = []

    /// Cache hits over cache lookups, 0 when there were none.
    public var cacheHitRatio: Double {
        cacheHits + cacheMisses == 0 ? 0 : Double(cacheHits) / Double(cacheHits + cacheMisses)
    }
}

/// Counters and latency histograms for a stage, and for each of its methods.
final class StageMetrics: Sendable {
    struct Figures {
        var count = 0
        var clientErrors = 0
        var serverErrors = 0
        var throttled = 0
        var cacheHits = 0
        var cacheMisses = 0
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        var integrationLatency = Histogram<UInt64>(
            highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        var seconds = [Int](repeating: 0, count: 60)
        var lastSecond = 0

        mutating func record(_ outcome: RequestOutcome, second: Int) {
            count += 1
            if (400..<500).contains(outcome.status) { clientErrors += 1 }
            if outcome.status >= 500 { serverErrors += 1 }
            if outcome.throttled { throttled += 1 }
            switch outcome.cache {
            case .hit: cacheHits += 1
            case .miss: cacheMisses += 1
            case .none: break
            }
            _ = latency.record(UInt64(max(0, outcome.latencyMicros)))
            if let integration = outcome.integrationLatencyMicros {
                _ = integrationLatency.record(UInt64(max(0, integration)))
            }
            advance(to: second)
            seconds[second % 60] += 1
        }

        mutating func advance(to second: Int) {
            if second - lastSecond >= 60 {
                seconds = [Int](repeating: 0, count: 60)
            } else if second > lastSecond {
                for skipped in (lastSecond + 1)...second { seconds[skipped % 60] = 0 }
            }
            lastSecond = max(lastSecond, second)
        }

        func snapshot(second: Int) -> MetricsSnapshot {
            var copy = self
            copy.advance(to: second)
            return MetricsSnapshot(
                count: count, clientErrors: clientErrors, serverErrors: serverErrors, throttled: throttled,
                cacheHits: cacheHits, cacheMisses: cacheMisses,
                latencyP50: Int(latency.valueAtPercentile(50)), latencyP99: Int(latency.valueAtPercentile(99)),
                integrationLatencyP50: Int(integrationLatency.valueAtPercentile(50)),
                integrationLatencyP99: Int(integrationLatency.valueAtPercentile(99)),
                perSecond: (second - 59...second).map { $0 < 0 ? 0 : copy.seconds[$0 % 60] })
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
