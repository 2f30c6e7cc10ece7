import ControlAPI
import Foundation
import GatewayControl
import GatewayModel
import TerminalUI
import Testing

@testable import Console

/// A console on a headless surface over an in-memory state.
@MainActor
final class ConsoleHarness {
    let surface: HeadlessSurface
    let control: GatewayControl
    let app: ConsoleApp
    let sampleDirectory: URL

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init(
        size: Size = Size(width: 120, height: 40), tier: ColorTier = .palette256, theme: String = "default",
        offerSample: Bool = true, controlAPI: Bool = false, state: String = ":memory:"
    ) async throws {
        surface = HeadlessSurface(size: size, colorTier: tier)
        control = try GatewayControl(location: state)
        sampleDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gatehouse-console-\(UUID().uuidString)")
        app = ConsoleApp(
            control: control, surface: surface,
            options: .init(
                port: 0, theme: theme, themeDirectories: [Self.repository.appendingPathComponent("themes")],
                sampleDirectory: sampleDirectory, offerSample: offerSample, samplePort: 0,
                controlResponder: controlAPI ? ControlAPI(control: control).responder : nil))
        await app.start()
        app.render()
    }

    func stop() async {
        await app.stop()
        try? FileManager.default.removeItem(at: sampleDirectory)
    }

    /// Reads the state again (the change stream does this in the running console).
    func reload() async {
        app.dirty = true
        await app.runPending()
    }

    /// Types keys and lets the console handle them.
    func press(_ keys: Key...) async {
        for key in keys { surface.type(key) }
        await app.runPending()
    }

    func type(_ text: String) async {
        surface.type(text: text)
        await app.runPending()
    }

    var screen: [String] { surface.screen }
    var text: String { screen.joined(separator: "\n") }

    /// Waits (for the engine's health checks and the like) until the screen shows `text`.
    func waitFor(_ text: String, timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            app.dirty = true
            await app.runPending()
            if self.text.contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// The screen with generated ids, ports and paths replaced by fixed tokens, for golden comparison.
    func normalizedScreen() async -> String {
        var text = self.text
        var replacements: [(String, String)] = []
        let model = app.model
        for (index, api) in model.apis.enumerated() {
            replacements.append((api.id, "api\(index)".padding(toLength: api.id.count, withPad: "0", startingAt: 0)))
        }
        for resources in model.resources.values {
            for resource in resources {
                replacements.append((resource.id, String(repeating: "r", count: resource.id.count)))
            }
        }
        for stages in model.stages.values {
            for stage in stages { replacements.append((stage.deploymentId, "deploy")) }
        }
        for link in model.links { replacements.append((link.id, "link00")) }
        for key in model.keys {
            replacements.append((key.id, "key0000000")); replacements.append((key.maskedValue, "****keykey"))
        }
        for plan in model.plans { replacements.append((plan.id, "plan00")) }
        replacements.append((sampleDirectory.path, "/SAMPLE"))
        for (from, to) in replacements where !from.isEmpty { text = text.replacingOccurrences(of: from, with: to) }
        text = text.replacingOccurrences(of: #"127\.0\.0\.1:\d+"#, with: "127.0.0.1:PORT", options: .regularExpression)
        return text
    }
}

/// Golden screens in `Snapshots/` beside this file; `RECORD_SNAPSHOTS=1 swift test` rewrites them, and a run that
/// records fails, so a recording is always looked at.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Snapshots")

    static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let file = directory.appendingPathComponent(name + ".txt")
        let recorded = try? String(contentsOf: file, encoding: .utf8)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" || recorded == nil {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? (text + "\n").write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded the golden screen \(name); check it and run again", sourceLocation: sourceLocation)
            return
        }
        if recorded != text + "\n" {
            let expected = recorded!.split(separator: "\n", omittingEmptySubsequences: false)
            let actual = (text + "\n").split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }
            let line = (firstDifference?.offset ?? 0) + 1
            let expectedLine = firstDifference.map { String($0.element.0) } ?? ""
            let actualLine = firstDifference.map { String($0.element.1) } ?? ""
            let message =
                "screen \(name) differs from its golden copy at line \(line):\nexpected: \(expectedLine)\nactual:   \(actualLine)\n\n\(text)"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    }
}
