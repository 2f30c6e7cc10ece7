import Foundation
import Testing

@testable import VTL

/// No template can hang or exhaust the gateway: every way to make evaluation large is bounded, and says so.
@Suite struct BoundsTests {
    func render(_ source: String) throws -> String { try Template(source).render([:]) }

    @Test func nestedLoopsStopAtTheStepBudget() throws {
        // 1,000 × 1,000 × 1,000 iterations would take hours; the step budget ends it.
        let started = ContinuousClock.now
        #expect(throws: TemplateFailure.self) {
            try render("#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end")
        }
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func aLoopStopsAtAThousandIterations() throws {
        #expect(try render("#set($n = 0)#foreach($i in [1..5000])#set($n = $n + 1)#end$n") == "1000")
    }

    @Test func recursionStopsAtTheMacroDepth() throws {
        #expect(throws: TemplateFailure.self) { try render("#macro(again)#again()#end#again()") }
    }

    @Test func aHugeRangeIsRefused() throws {
        #expect(throws: TemplateFailure.self) { try render("#set($r = [1..100000000])$r.size()") }
    }

    @Test func outputIsBounded() throws {
        var limits = Template.Limits()
        limits.outputSize = 10_000
        let template = try Template("#foreach($i in [1..1000])#foreach($j in [1..100])xxxxxxxxxx#end#end")
        #expect(throws: TemplateFailure.self) { try template.render([:], limits: limits) }
    }

    @Test func aSyntaxErrorSaysWhere() throws {
        do {
            _ = try Template("line one\n#if($x\nnext")
            Issue.record("a broken #if parsed")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.contains("line 2"))
        }
    }

    @Test func deepJSONIsReadWithoutOverflow() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let variables = MappingVariables(body: deep).values
        // Too deep to read: the body is no JSON to the template, and nothing crashes.
        #expect(try Template("[$input.path('$')]").render(variables) == "[$input.path('$')]")
    }

    @Test func parsedOnceEvaluatedMany() throws {
        let template = try Template("#set($x = $input.path('$.n') + 1)$x")
        for n in 0..<100 {
            #expect(try template.render(MappingVariables(body: "{\"n\": \(n)}").values) == String(n + 1))
        }
    }
}
