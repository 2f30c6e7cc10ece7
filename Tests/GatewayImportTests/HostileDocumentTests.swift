import Foundation
import GatewayImport
import Testing

/// Documents built to exhaust the importer are refused quickly, with a clear error, in bounded memory.
@Suite struct HostileDocumentTests {
    /// Nine levels of nine aliases each: 544 bytes that stand for 9^9 (387 million) strings.
    static let billionLaughs = """
        swagger: "2.0"
        info: {title: lol, version: "1"}
        x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        x-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        x-i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        paths: {}
        """

    @Test func nestedYAMLAliasesAreRefusedBeforeTheyExpand() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let error = try #require(Fixtures.failure(Self.billionLaughs))
        #expect(error.description.contains("aliases expand to more than 100000 nodes"), "\(error.description)")
        // Refused on sizing alone: a few milliseconds, where expanding would take minutes and gigabytes.
        #expect(clock.now - started < .seconds(30))
    }

    @Test func aliasesWithinTheBudgetStillWork() throws {
        let text = """
            swagger: "2.0"
            info: {title: shared, version: "1"}
            x-ok: &ok {description: ok}
            paths:
              /a: {get: {responses: {"200": *ok}}}
              /b: {get: {responses: {"200": *ok}}}
            """
        #expect(Fixtures.failure(text) == nil)
    }

    @Test func deeplyNestedDocumentsAreRefused() throws {
        let depth = 100_000
        let json =
            #"{"swagger":"2.0","info":{"title":"deep","version":"1"},"paths":{},"x-deep":"#
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let error = try #require(Fixtures.failure(json))
        #expect(error.description.contains("more than 256 deep"), "\(error.description)")
        let yaml =
            "swagger: \"2.0\"\ninfo: {title: deep, version: \"1\"}\npaths: {}\nx-deep: "
            + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "\n"
        let yamlError = try #require(Fixtures.failure(yaml))
        #expect(yamlError.description.contains("deep"), "\(yamlError.description)")
    }

    @Test func aLongChainOfReferencesIsFollowedWithoutRecursion() throws {
        func chain(_ kind: String, _ prefix: String) -> String {
            (0..<2_000).map { "\"\(prefix)\($0)\": {\"$ref\": \"#/\(kind)/\(prefix)\($0 + 1)\"}" }
                .joined(separator: ",") + ", \"\(prefix)2000\": {\"$ref\": \"#/\(kind)/\(prefix)0\"}"
        }
        let json = """
            {"swagger": "2.0", "info": {"title": "refs", "version": "1"},
             "paths": {"/a": {"get": {"parameters": [{"$ref": "#/parameters/P0"}],
                                      "responses": {"200": {"description": "ok"}}}}},
             "parameters": {\(chain("parameters", "P"))},
             "definitions": {\(chain("definitions", "D"))}}
            """
        let error = try #require(Fixtures.failure(json))
        #expect(error.description.contains("leads back to itself"), "\(error.description.prefix(500))")
    }
}
