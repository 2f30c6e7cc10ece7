import Foundation
import GatewayModel
import SampleBackend
import TerminalUI
import TestSupport
import Testing

@testable import Console

/// What each screen says is what the gateway does: rules judged on what is served, refusals with their reasons,
/// dialogs that offer what AWS's do, and keys that mean one thing.
@MainActor
@Suite(.serialized) struct TruthTests {
    /// The sample backend, a VPC link to it, the pictures API integrated through it and deployed to `test`.
    func deployedSample(size: Size = Size(width: 120, height: 40)) async throws -> (ConsoleHarness, RestApi, String) {
        let console = try await ConsoleHarness(size: size)
        await console.press(.character("y"))
        let balancer = try console.control.loadBalancer("pictures-nlb")
        let link = try await console.control.createVpcLink(name: "pictures-link", targetArn: balancer.arn)
        #expect(await console.waitFor("AVAILABLE"))
        let api = try await console.control.importRestApi(
            PicturesBackend.swagger, options: .init(endpointType: .regional)
        ).api
        try await console.control.integrateAllThroughVpcLink(api: api.id, link: link.id)
        _ = try await console.control.createDeployment(api: api.id, stageName: "test")
        await console.reload()
        let url = "\(console.app.invokeBase)/restapis/\(api.id)/test/_user_request_/api/pictures/all"
        return (console, api, url)
    }

    /// Selects GET /api/pictures/all on the Resources pane.
    func selectGetAll(_ console: ConsoleHarness) async {
        await console.press(.character("2"))
        console.app.lists[.resources] = ListState()
        for _ in 0..<5 { await console.press(.character("j")) }
        #expect(console.text.contains("GET /api/pictures/all — method execution"))
    }

    func rule(_ console: ConsoleHarness, _ id: String) -> RuleCheck {
        RuleCheck.check(console.app.model, thresholds: console.app.thresholds).first { $0.id == id }!
    }

    @Test func rulesJudgeWhatIsServedNotTheWorkingCopy() async throws {
        let (console, api, url) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            // Every method requires a key in the working copy, and none is deployed.
            for resource in try console.control.resources(api: api.id) {
                for method in resource.sortedMethods {
                    _ = try await console.control.updateMethod(
                        api: api.id, resource: resource.id, httpMethod: method.httpMethod
                    ) { $0.apiKeyRequired = true }
                }
            }
            await console.reload()
            #expect(try await fetch(url).0 == 200, "the stage still serves the methods without a key")
            await console.press(.character("7"))
            #expect(console.text.contains("✗ R4"))
            #expect(!console.text.contains("✓ R4"))
            #expect(
                console.text.contains("GET /api/pictures/all requires a key in the working copy — not deployed to test")
            )
            // R3: no throttle of its own, so the account's 10,000 rps is what a client reaches; that is below 100,000.
            #expect(console.text.contains("✓ R3"))
            // The stage is marked as serving something older than the working copy.
            await console.press(.character("3"))
            #expect(console.text.contains("‹ behind"))

            // Deployed, the verdict follows what curl sees.
            await console.press(.character("d"), .control("s"))
            #expect(try await fetch(url).0 == 403)
            await console.press(.character("7"))
            #expect(console.text.contains("✓ R4"))
            #expect(console.text.contains("no usage plan covers the stage, so every key is refused (403)"))
            await console.press(.character("3"))
            #expect(!console.text.contains("‹ behind"))
        }
    }

    @Test func nothingDeployedIsNotAPass() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            _ = try await console.control.createRestApi(name: "empty")
            await console.reload()
            await console.press(.character("7"))
            #expect(!console.text.contains("✓"))
            #expect(console.text.contains("– R1  APIs are not exposed directly"))
            #expect(console.text.contains("nothing deployed"))
        }
    }

    @Test func theCacheToggleChangesOnlyCachingAndR3UsesTheEffectiveRate() async throws {
        let (console, api, _) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            let before = try console.control.stage(api: api.id, name: "test")
            #expect(rule(console, "R3").verdict == .holds)
            await console.press(.character("3"), .character("c"))
            let after = try console.control.stage(api: api.id, name: "test")
            #expect(after.cacheClusterEnabled)
            #expect(after.methodSettings == before.methodSettings, "the toggle wrote a method setting (a throttle)")
            #expect(rule(console, "R3").verdict == .holds)
            #expect(rule(console, "R2").verdict == .holds)

            // With the threshold below the account's rate, R3 breaks and says which limit a client reaches.
            await console.press(.character("7"), .character("r"))
            for _ in 0..<6 { await console.press(.backspace) }
            await console.type("50")
            await console.press(.enter)
            #expect(console.text.contains("✗ R3"))
            #expect(console.text.contains("a client can reach 10,000 rps (account limit), above 50"))
            // A usage plan's per-key rate is the lowest limit of keyed methods: 40 holds R3 for them.
            await console.press(.character("3"), .character("r"))
            for _ in 0..<5 { await console.press(.backspace) }
            await console.type("40")
            await console.press(.control("s"))
            #expect(
                try console.control.stage(api: api.id, name: "test").cacheClusterEnabled, "throttling kept the cache")
            #expect(try console.control.stage(api: api.id, name: "test").allMethods.cachingEnabled)
            await console.press(.character("7"))
            #expect(console.text.contains("✓ R3"))
        }
    }

    @Test func logsGiveTheReasonOfEveryRefusalAndOpenARequest() async throws {
        let (console, api, url) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            await selectGetAll(console)
            await console.press(.character("a"), .character("d"), .control("s"))
            let outside = try await console.control.createApiKey(name: "outside", enabled: true)
            let disabled = try await console.control.createApiKey(name: "off", enabled: false)
            await console.reload()
            #expect(try await fetch(url).0 == 403)
            #expect(try await fetch(url, key: "no-such-key-value-anywhere").0 == 403)
            #expect(try await fetch(url, key: outside.value).0 == 403)
            #expect(try await fetch(url, key: disabled.value).0 == 403)

            // A plan of 1 request a day: the second call is refused for the quota.
            let plan = try await console.control.createUsagePlan(
                name: "tiny", apiStages: [ApiStage(apiId: api.id, stage: "test")],
                throttle: ThrottleSettings(burstLimit: 10, rateLimit: 10), quota: QuotaSettings(limit: 1, period: .day))
            _ = try await console.control.createUsagePlanKey(plan: plan.id, key: outside.id)
            await console.reload()
            #expect(try await fetch(url, key: outside.value).0 == 200)
            #expect(try await fetch(url, key: outside.value).0 == 429)
            // R4 names a key that every call of is refused.
            _ = try await console.control.createApiKey(name: "stray", enabled: true)
            await console.reload()
            await console.press(.character("7"))
            #expect(console.text.contains("key stray is in no usage plan for the stage; its calls get 403"))

            await console.press(.character("8"))
            for reason in [
                "no API key (the method requires an x-api-key header)", "unknown API key", "API key disabled",
                "API key in no usage plan for stage test", "plan tiny quota 1 per DAY",
            ] {
                #expect(console.text.contains(reason), "\(reason)")
            }
            // enter on the served request opens it: the integration request actually sent, the limits.
            let entries = console.app.logs.all
            let served = try #require(entries.lastIndex { $0.status == 200 })
            await console.press(.home)
            for _ in 0..<served { await console.press(.character("j")) }
            await console.press(.enter)
            #expect(console.text.contains("Request \(entries[served].requestId)"))
            let detail = LogsPane.detail(entries[served]).joined(separator: "\n")
            #expect(detail.contains("Endpoint request URI: http://"))
            #expect(detail.contains("/api/pictures/all"))
            #expect(detail.lowercased().contains("x-api-key: ****"))
            #expect(detail.contains("plan tiny per key limit 10 rps, burst 10"))
            #expect(detail.contains("account limit 10000 rps, burst 5000"))
            #expect(!detail.contains(outside.value), "the key's value is masked")
        }
    }

    @Test func deployListsMethodsWithoutAnIntegrationAndIntegratesThemWithOneKey() async throws {
        let console = try await ConsoleHarness()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("y"))
            let balancer = try console.control.loadBalancer("pictures-nlb")
            _ = try await console.control.createVpcLink(name: "pictures-link", targetArn: balancer.arn)
            let api = try await console.control.importRestApi(
                PicturesBackend.swagger, options: .init(endpointType: .regional)
            ).api
            await console.reload()
            await console.press(.character("1"), .character("d"), .control("s"))
            #expect(console.text.contains("AWS refuses: No integration defined for method"))
            for method in [
                "POST /api/pictures", "GET /api/pictures/all", "GET /api/pictures/{id}", "DELETE /api/pictures/{id}",
            ] {
                #expect(console.text.contains("  " + method), "\(method)")
            }
            await console.press(.enter)
            let methods = try console.control.resources(api: api.id).flatMap(\.sortedMethods)
            #expect(methods.allSatisfy { $0.methodIntegration?.connectionType == .vpcLink })
            #expect(try console.control.stages(api: api.id).map(\.stageName) == ["test"])
            #expect(console.text.contains("Deployed to test"))
            // A second deploy offers the existing stage and a new one.
            await console.press(.character("d"))
            #expect(console.text.contains("‹ test ›"))
            await console.press(.right)
            #expect(console.text.contains("‹ New stage… ›"))
            await console.press(.enter)
            await console.type("prod")
            await console.press(.enter)
            await console.type("production")
            await console.press(.enter)
            await console.type("first release")
            await console.press(.enter)
            let prod = try console.control.stage(api: api.id, name: "prod")
            #expect(prod.description == "production")
            #expect(try console.control.deployments(api: api.id).first?.description == "first release")
        }
    }

    @Test func aKeyIsCreatedStraightIntoAPlan() async throws {
        let (console, api, url) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            await selectGetAll(console)
            await console.press(.character("a"), .character("d"), .control("s"))
            _ = try await console.control.createUsagePlan(
                name: "basic", apiStages: [ApiStage(apiId: api.id, stage: "test")],
                throttle: ThrottleSettings(burstLimit: 100, rateLimit: 100))
            await console.reload()
            await console.press(.character("4"), .character("n"), .enter, .enter)
            #expect(console.text.contains("‹ basic ("))
            await console.press(.enter)
            let key = try #require(try console.control.apiKeys().first)
            #expect(try await fetch(url, key: key.value).0 == 200)
            #expect(console.text.contains("in usage plan basic"))
        }
    }

    @Test func keysMeanOneThingAndDialogsCanBeLeft() async throws {
        let (console, api, _) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            // k moves up in Resources; it never toggles "API key required".
            await selectGetAll(console)
            await console.press(.character("k"))
            #expect(console.text.contains("Resource /api/pictures/all ("))
            let methods = try console.control.resources(api: api.id).flatMap(\.sortedMethods)
            #expect(methods.allSatisfy { !$0.apiKeyRequired })
            // esc goes back where enter came from.
            await console.press(.character("1"), .enter)
            #expect(console.app.pane == .resources)
            await console.press(.escape)
            #expect(console.app.pane == .apis)
            // Flushing asks first.
            await console.press(.character("3"), .character("c"), .character("f"))
            #expect(console.text.contains("Flush every cached answer of stage test?"))
            await console.press(.character("n"))
            // ctrl-c quits from a dialog.
            await console.press(.character("d"))
            #expect(console.app.dialog != nil)
            await console.press(.control("c"))
            #expect(console.app.running == false)
        }
    }

    @Test func theFooterShowsEveryKeyAt80x24() async throws {
        let (console, _, _) = try await deployedSample(size: Size(width: 80, height: 24))
        try await withCleanup({ await console.stop() }) {
            for pane in Pane.allCases {
                await console.press(.character(Character(String(pane.rawValue + 1))))
                let footer = console.screen.suffix(2).joined(separator: "\n")
                for action in pane.view(console.app).actions where action.visible {
                    #expect(footer.contains("\(action.key.description) \(action.label)"), "\(pane): \(action.label)")
                }
                #expect(footer.contains("? help"))
                #expect(console.screen.allSatisfy { TextWidth.of($0) == 80 })
            }
            // The invoke URL is shown whole.
            #expect(console.text.contains("http://127.0.0.1:4567/restapis/{api}/{stage}/_user_request_/…"))
        }
    }

    @Test func tooSmallScreenTakesNoKeys() async throws {
        let console = try await ConsoleHarness(size: Size(width: 60, height: 20), offerSample: false)
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("4"), .character("n"))
            #expect(console.app.pane == .apis)
            #expect(console.app.dialog == nil)
            let keys = try console.control.apiKeys()
            #expect(keys.isEmpty)
        }
    }

    @Test func filtersNarrowAsYouTypeAndShowThatTheyAreOn() async throws {
        let console = try await ConsoleHarness(offerSample: false)
        try await withCleanup({ await console.stop() }) {
            for name in ["key-alpha", "key-beta"] {
                _ = try await console.control.createApiKey(name: name, enabled: true)
            }
            await console.reload()
            await console.press(.character("4"), .character("/"))
            await console.type("-al")
            #expect(console.text.contains("API keys — filter: -al"))
            #expect(console.text.contains("key-alpha"))
            #expect(!console.text.contains("key-beta"), "the list narrows before enter")
            await console.press(.escape)
            #expect(console.text.contains("key-beta"))
        }
    }

    @Test func copyPutsTheInvokeURLAndACurlLineWithAKeyOnTheClipboard() async throws {
        let (console, api, _) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            await selectGetAll(console)
            await console.press(.character("a"), .character("d"), .control("s"))
            let key = try await console.control.createApiKey(name: "k", enabled: true)
            let plan = try await console.control.createUsagePlan(
                name: "p", apiStages: [ApiStage(apiId: api.id, stage: "test")])
            _ = try await console.control.createUsagePlanKey(plan: plan.id, key: key.id)
            await console.reload()
            await selectGetAll(console)
            await console.press(.character("y"))
            let copied = try #require(console.surface.copied)
            #expect(copied.contains("/restapis/\(api.id)/test/_user_request_/api/pictures/all"))
            #expect(copied.contains("curl -i '"))
            #expect(copied.contains("-H 'x-api-key: \(key.value)'"))
            #expect(console.text.contains("Copied to the clipboard"))
        }
    }

    @Test func cacheFiguresStartAgainWhenTheCacheIsFlushed() async throws {
        let (console, api, url) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("3"), .character("c"))
            for _ in 0..<3 { _ = try await fetch(url) }
            let engine = try #require(console.app.engine)
            #expect(engine.metrics(api: api.id, stage: "test").stage.cacheHits == 2)
            await console.press(.character("f"), .character("y"))
            #expect(engine.metrics(api: api.id, stage: "test").stage.cacheHits == 0)
            #expect(engine.metrics(api: api.id, stage: "test").stage.count == 3, "only the cache figures start again")
            _ = try await fetch(url)
            await console.press(.character("c"))
            #expect(engine.metrics(api: api.id, stage: "test").stage.cacheMisses == 0, "turning the cache off resets")
        }
    }

    @Test func themesAreBuiltInAndAThemeWarningStays() async throws {
        for name in ["light", "high-contrast", "mono"] {
            let theme = try Theme.load(name: name, from: [])
            #expect(theme.name == name)
            let file = ConsoleHarness.repository.appendingPathComponent("themes/\(name).theme")
            #expect(
                try String(contentsOf: file, encoding: .utf8) == Theme.builtInTexts[name]! + "\n",
                "themes/\(name).theme and the compiled-in copy differ")
        }
        let console = try await ConsoleHarness(theme: "nonesuch", offerSample: false)
        try await withCleanup({ await console.stop() }) {
            // The next message (as the sample workspace's at start) joins the warning until a key is pressed.
            console.app.flashInfo("pictures backend on 127.0.0.1:1")
            console.app.render()
            #expect(console.text.contains("no theme named nonesuch"), "the next message replaced the warning")
            #expect(console.text.contains("pictures backend on"))
            await console.press(.character("4"))
            console.app.flashInfo("later")
            console.app.render()
            #expect(!console.text.contains("no theme named nonesuch"))
        }
    }

    @Test func thePaletteCompletesEveryActionOfThePane() async throws {
        let (console, api, _) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("3"), .character(":"))
            for action in Pane.stages.view(console.app).actions { #expect(console.text.contains(action.command)) }
            await console.type("fl")
            await console.press(.tab)
            #expect(console.app.dialog?.form.entries.first?.value == "flush-cache")
            await console.press(.escape, .character(":"))
            await console.type("cache")
            await console.press(.enter)
            let stage = try console.control.stage(api: api.id, name: "test")
            #expect(stage.cacheClusterEnabled)
        }
    }

    @Test func oneChangeIsReadOnce() async throws {
        let (console, _, _) = try await deployedSample()
        try await withCleanup({ await console.stop() }) {
            await console.press(.character("4"))
            let before = console.app.reloads
            await console.press(.character("n"), .control("s"))
            // Let the change event arrive, then look again: the console's own write was read once.
            try await Task.sleep(for: .milliseconds(100))
            await console.app.runPending()
            #expect(console.app.reloads == before + 1)
        }
    }
}
