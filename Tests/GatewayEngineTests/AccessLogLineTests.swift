import Foundation
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

/// The ids every answer carries, in API Gateway's forms.
@Suite struct RequestIdTests {
    @Test func idsHaveAPIGatewaysShapesAndDiffer() throws {
        let uuid = try Regex(#"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#)
        let extended = try Regex(#"^[A-Za-z0-9+/]{15}=$"#)
        let trace = try Regex(#"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$"#)
        var seen = Set<String>()
        for _ in 0..<1000 {
            let (request, apigw, root) = (RequestIds.requestId(), RequestIds.extendedId(), RequestIds.traceId())
            #expect(request.wholeMatch(of: uuid) != nil, "\(request)")
            #expect(apigw.wholeMatch(of: extended) != nil, "\(apigw)")
            #expect(root.wholeMatch(of: trace) != nil, "\(root)")
            seen.insert(request)
        }
        #expect(seen.count == 1000)
        // The trace id starts with the current second, as AWS's does.
        let seconds = try #require(Int(RequestIds.traceId().dropFirst(7).prefix(8), radix: 16))
        #expect(abs(seconds - Int(time(nil))) <= 2)
    }
}
