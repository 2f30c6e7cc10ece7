import Testing

@testable import GatewayEngine

/// The access log line `serve` prints for each request.
@Suite struct AccessLogLineTests {
    @Test func aLineSaysWhatHappenedInItsFixedOrder() {
        var entry = AccessLogEntry(
            requestId: "5f0c1d2e-0000-4000-8000-000000000001", apiId: "abc123", stage: "test", method: "GET",
            path: "/api/pictures/all", status: 200, latencyMillis: 1.26, cache: "hit", apiKey: "****abcdef",
            sourceIP: "127.0.0.1")
        #expect(
            entry.line
                == "5f0c1d2e-0000-4000-8000-000000000001 GET /test/api/pictures/all 200 1.3ms cache=hit key=****abcdef ip=127.0.0.1"
        )
        entry.latencyMillis = 1234.04
        entry.cache = nil
        entry.apiKey = nil
        entry.status = 429
        entry.reason = #"plan "basic" per key limit 10 rps, burst 20"#
        #expect(
            entry.line
                == #"5f0c1d2e-0000-4000-8000-000000000001 GET /test/api/pictures/all 429 1234.0ms cache=- key=- ip=127.0.0.1 reason="plan 'basic' per key limit 10 rps, burst 20""#
        )
        entry.latencyMillis = 0.04
        #expect(entry.line.contains(" 429 0.0ms "))
    }
}
