import Foundation
import GatewayModel
import TerminalUI
import TestSupport
import Testing

@testable import Console

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

func fetch(_ url: String, key: String? = nil) async throws -> (Int, String) {
    var request = URLRequest(url: URL(string: url)!)
    if let key { request.setValue(key, forHTTPHeaderField: "x-api-key") }
    let (data, response) = try await URLSession.shared.data(for: request)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
}

/// The walkthrough, key by key, on a headless surface; requests go to the console's own engine.
@MainActor
@Suite(.serialized) struct WalkthroughKeyTests {
    @Test func walkthroughWithKeys() async throws {
        let console = try await ConsoleHarness()
        try await withCleanup({ await console.stop() }) {
            // The sample workspace: backend, load balancer, swagger.json.
            await console.press(.character("y"))
            #expect(console.text.contains("pictures-nlb"))
            let swagger = console.sampleDirectory.appendingPathComponent("swagger.json").path
            #expect(FileManager.default.fileExists(atPath: swagger))

            // VPC link, created with a dialog; PENDING, then AVAILABLE.
            await console.press(.character("6"), .character("n"), .enter, .enter)
            #expect(await console.waitFor("Your vpc link is ready for use"))
            #expect(console.text.contains("healthy"))

            // Import the sample's swagger.json (the dialog is filled in with it).
            await console.press(.character("1"), .character("i"))
            #expect(console.text.contains(swagger))
            await console.press(.enter, .enter, .enter, .enter, .enter)
            #expect(console.text.contains("APIs › pictures ("))
            let api = try #require(console.app.model.apis.first)

            // Every method through the VPC link, as a proxy.
            let rows = console.app.treeRows
            for (index, row) in rows.enumerated() where row.method != nil {
                console.app.lists[.resources] = ListState()
                await console.press(.character("2"))
                for _ in 0..<index { await console.press(.down) }
                await console.press(.character("v"))
            }
            let methods = (console.app.model.resources[api.id] ?? []).flatMap(\.sortedMethods)
            #expect(methods.count == 4)
            #expect(methods.allSatisfy { $0.methodIntegration?.connectionType == .vpcLink })

            // Test GET /api/pictures/all.
            console.app.lists[.resources] = ListState()
            for _ in 0..<5 { await console.press(.down) }
            await console.press(.character("t"), .enter, .enter, .enter, .enter)
            #expect(console.text.contains("Test GET /api/pictures/all: 200"))
            #expect(console.text.contains("\"name\" : \"sunrise.jpg\""))
            await console.press(.escape)

            // Deploy to a new stage: a bad stage name is refused inline (the focus stays on it), then `test` works.
            await console.press(.character("d"))
            #expect(console.text.contains("‹ New stage… ›"))
            await console.press(.enter)
            for _ in 0..<4 { await console.press(.backspace) }
            await console.type("te st")
            await console.press(.control("s"))
            #expect(console.text.contains("Stage name only allows"))
            for _ in 0..<5 { await console.press(.backspace) }
            await console.type("test")
            await console.press(.control("s"))
            #expect(console.text.contains("Deployed to test"))
            let url = "\(console.app.invokeBase)/restapis/\(api.id)/test/_user_request_/api/pictures/all"
            #expect(try await fetch(url).0 == 200)

            // R4: require a key, redeploy; then a key in a usage plan.
            await console.press(.character("2"))
            console.app.lists[.resources] = ListState()
            for _ in 0..<5 { await console.press(.down) }
            await console.press(.character("a"))
            #expect(console.text.contains("API key required"))
            await console.press(.character("d"))
            #expect(console.text.contains("‹ test ›"))
            await console.press(.control("s"))
            #expect(try await fetch(url).0 == 403)
            await console.press(.character("4"), .character("n"), .enter, .enter, .enter)
            let key = try #require(console.app.model.keys.first)
            #expect(console.text.contains(key.value))
            await console.press(.character("5"), .character("n"))
            #expect(console.text.contains("100000"), "the plan's rate comes from the R3 threshold")
            await console.press(.control("s"))
            #expect(console.app.model.plans.count == 1, "\(console.text)")
            await console.press(.character("4"), .character("p"), .enter)
            #expect(try await fetch(url, key: key.value).0 == 200)

            // R2 and R3 on the stage: cache on, a burst of 2 refilled once every 20 seconds.
            await console.press(.character("3"), .character("c"))
            #expect(console.text.contains("Cache on for stage test"))
            await console.press(.character("r"))
            for _ in 0..<5 { await console.press(.backspace) }
            await console.type("0.05")
            await console.press(.enter)
            for _ in 0..<4 { await console.press(.backspace) }
            await console.type("2")
            await console.press(.enter)
            let before = console.app.sample!.backend.apiRequestCount
            var statuses: [Int] = []
            for _ in 0..<5 { statuses.append(try await fetch(url, key: key.value).0) }
            #expect(statuses.filter { $0 == 200 }.count == 2, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 3)
            #expect(console.app.sample!.backend.apiRequestCount == before + 1, "a cache hit reached the backend")
            let figures = try #require(console.app.engine?.metrics(api: api.id, stage: "test").stage)
            #expect(figures.lastMinute.throttled == 3)
            #expect(figures.lastMinute.cacheHits >= 1)
            #expect(console.text.contains("last minute"))

            // Rules: R1, R2 and R3 hold for this API; R4 does not yet.
            await console.press(.character("7"))
            #expect(console.text.contains("✓ R1"))
            #expect(console.text.contains("✓ R2"))
            #expect(console.text.contains("✓ R3"))
            #expect(console.text.contains("✗ R4"), "three methods still need no key")
            // Logs show the requests.
            await console.press(.character("8"))
            #expect(console.text.contains("429 GET /test/api/pictures/all"))
            await console.press(.character("q"))
            #expect(console.app.running == false)
        }
    }

    @Test func helpComesFromThePanesActions() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("2"), .character("?"))
            for action in Pane.resources.view(console.app).actions {
                #expect(console.text.contains(action.help), "\(action.help)")
            }
            for entry in GlobalKeys.entries { #expect(console.text.contains(entry.help), "\(entry.help)") }
            await console.press(.escape)
            await console.press(.character(":"))
            await console.type("theme nonesuch")
            await console.press(.enter)
            #expect(console.text.contains("no theme named nonesuch"))
            await console.press(.escape, .character(":"))
            await console.type("theme light")
            await console.press(.enter)
            #expect(console.app.theme.name == "light")
        }
    }
}
