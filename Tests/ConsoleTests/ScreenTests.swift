import Foundation
import GatewayEngine
import GatewayModel
import SampleBackend
import TerminalUI
import TestSupport
import Testing

@testable import Console

/// Golden screens of the panes, at 120×40 and 80×24.
@MainActor
@Suite(.serialized) struct ScreenTests {
    nonisolated static let sizes = [Size(width: 120, height: 40), Size(width: 80, height: 24)]

    @Test(arguments: sizes)
    func emptyStateOffersTheSampleWorkspace(size: Size) async throws {
        try await seeded {
            let console = try await ConsoleHarness(size: size)
            try await withCleanup({ await console.stop() }) {
                #expect(console.text.contains("Set up the sample workspace"))
                Golden.check(await console.normalizedScreen(), named: "empty-\(size.width)x\(size.height)")
            }
        }
    }

    @Test(arguments: sizes)
    func resourcesWithTheMethodExecutionFlow(size: Size) async throws {
        try await seeded {
            let console = try await ConsoleHarness(size: size, offerSample: false)
            try await withCleanup({ await console.stop() }) {
                _ = try await console.control.importRestApi(
                    PicturesBackend.swagger, options: .init(endpointType: .regional))
                await console.reload()
                await console.press(.character("2"))
                for _ in 0..<5 { await console.press(.down) }
                #expect(console.text.contains("GET /api/pictures/all"))
                Golden.check(await console.normalizedScreen(), named: "resources-\(size.width)x\(size.height)")
            }
        }
    }

    /// The mapping-template editor over the Resources pane, with a template of several lines and a tab.
    @Test(arguments: sizes)
    func templateEditor(size: Size) async throws {
        try await seeded {
            let console = try await ConsoleHarness(size: size, offerSample: false)
            try await withCleanup({ await console.stop() }) {
                try await console.mockPicturesAll(
                    requestTemplate: """
                        #set($root = $input.path('$'))
                        #if($root.size() > 0)
                        \t{"statusCode": 200}
                        #else
                        \t{"statusCode": 404}
                        #end
                        """)
                await console.press(.character("M"), .enter, .enter, .down, .down, .end)
                #expect(console.text.contains("3:21"))
                Golden.check(await console.normalizedScreen(), named: "template-editor-\(size.width)x\(size.height)")
            }
        }
    }

    @Test func tooSmallTerminalSaysWhatItNeeds() async throws {
        let console = try await ConsoleHarness(size: Size(width: 60, height: 20), offerSample: false)
        try await withCleanup({ await console.stop() }) {
            #expect(console.text.contains("terminal too small: need 80×24, have 60×20"))
            console.surface.size = Size(width: 100, height: 30)
            await console.press(.character("7"))
            #expect(console.text.contains("R1"))
            #expect(console.screen.count == 30)
            #expect(console.screen.allSatisfy { TextWidth.of($0) == 100 })
        }
    }

    @Test func monoTierUsesAttributesOnly() async throws {
        try await seeded {
            let console = try await ConsoleHarness(tier: .mono, offerSample: false)
            try await withCleanup({ await console.stop() }) {
                let frame = try #require(console.surface.lastFrame)
                #expect(frame.cells.allSatisfy { $0.style.foreground == .default && $0.style.background == .default })
                // The selected navigation row stands out by reverse video.
                let navRow = console.screen.firstIndex { $0.hasPrefix(" 1 APIs") }!
                #expect(frame[2, navRow].style.attributes.contains(.reverse))
                Golden.check(await console.normalizedScreen(), named: "mono-apis-120x40")
            }
        }
    }

    @Test func wideCharactersTakeTwoColumns() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            _ = try await console.control.createRestApi(name: "写真の API")
            await console.reload()
            await console.press(.character("1"))
            let row = try #require(console.screen.first { $0.contains("写真の API") })
            #expect(TextWidth.of(row) == 120)
            #expect(console.screen.allSatisfy { TextWidth.of($0) == 120 })
        }
    }
}

/// Golden screens of every pane once the walkthrough is done (120×40).
@MainActor
@Suite(.serialized) struct PaneScreenTests {
    nonisolated static let looks: [(Size, ColorTier)] = [
        (Size(width: 120, height: 40), .palette256), (Size(width: 80, height: 24), .mono),
    ]

    @Test(arguments: [0, 1])
    func everyPaneAfterTheWalkthrough(look: Int) async throws {
        try await seeded {
            let (size, tier) = Self.looks[look]
            let console = try await ConsoleHarness(size: size, tier: tier)
            try await withCleanup({ await console.stop() }) {
                await console.press(.character("y"))
                let control = console.control
                let balancer = try control.loadBalancer("pictures-nlb")
                let link = try await control.createVpcLink(name: "pictures-link", targetArn: balancer.arn)
                #expect(await console.waitFor("AVAILABLE"))
                let api = try await control.importRestApi(
                    PicturesBackend.swagger, options: .init(endpointType: .regional)
                )
                .api
                try await control.integrateAllThroughVpcLink(api: api.id, link: link.id)
                for resource in try control.resources(api: api.id) {
                    for method in resource.sortedMethods {
                        _ = try await control.updateMethod(
                            api: api.id, resource: resource.id, httpMethod: method.httpMethod
                        ) {
                            $0.apiKeyRequired = true
                        }
                    }
                }
                _ = try await control.createDeployment(api: api.id, stageName: "test")
                _ = try await control.updateStage(api: api.id, name: "test") { stage in
                    stage.cacheClusterEnabled = true
                    var all = MethodSetting()
                    all.cachingEnabled = true
                    all.throttlingRateLimit = 500
                    all.throttlingBurstLimit = 1000
                    stage.methodSettings[MethodSetting.allMethodsKey] = all
                }
                let key = try await control.createApiKey(name: "test", enabled: true)
                let plan = try await control.createUsagePlan(
                    name: "basic", apiStages: [ApiStage(apiId: api.id, stage: "test")],
                    throttle: ThrottleSettings(burstLimit: 200, rateLimit: 100),
                    quota: QuotaSettings(limit: 5000, period: .month))
                _ = try await control.createUsagePlanKey(plan: plan.id, key: key.id)
                try await control.addFunction(
                    LambdaFunction(
                        name: "resize", kind: .process, runtime: "python3", handler: "app.handler",
                        code: FileManager.default.temporaryDirectory.path))
                await console.reload()
                console.app.flash = nil
                for (key, name) in [
                    ("1", "apis"), ("2", "resources"), ("3", "stages"), ("4", "keys"), ("5", "plans"), ("6", "links"),
                    ("7", "rules"), ("9", "functions"),
                ] {
                    await console.press(.character(Character(key)))
                    console.app.flash = nil
                    console.app.render()
                    let suffix = tier == .mono ? "-mono" : ""
                    Golden.check(
                        await console.normalizedScreen(), named: "pane-\(name)-\(size.width)x\(size.height)\(suffix)")
                }
                // The Logs pane with requests of each kind (fixed ids and times: the engine's are new each run).
                let served: [(Int, String?, String?)] = [
                    (200, nil, "miss"), (200, nil, "hit"), (403, "API key in no usage plan for stage test", nil),
                    (429, "plan basic per key limit 100 rps, burst 200", nil),
                    (504, "the integration timed out after 29000 ms", nil),
                ]
                for (index, (status, reason, cache)) in served.enumerated() {
                    console.app.logs.append(
                        AccessLogEntry(
                            requestId: "00000000-0000-0000-0000-00000000000\(index)", apiId: api.id, stage: "test",
                            method: "GET", path: "/api/pictures/all", status: status, latencyMillis: 1.5,
                            cache: cache, apiKey: "****keykey", sourceIP: "127.0.0.1", reason: reason))
                }
                await console.press(.character("8"), .character("j"), .character("j"))
                console.app.flash = nil
                console.app.render()
                Golden.check(
                    await console.normalizedScreen(),
                    named: "pane-logs-\(size.width)x\(size.height)\(tier == .mono ? "-mono" : "")")
            }
        }
    }
}
