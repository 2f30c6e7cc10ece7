import ControlAPI
import Foundation
import GatewayControl
import GatewayModel
import SampleBackend
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
        offerSample: Bool = true, controlAPI: Bool = false, state: String = ":memory:", editor: [String]? = nil
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
                controlResponder: controlAPI ? ControlAPI(control: control).responder : nil, editor: editor))
        await app.start()
        app.displayBase = "http://127.0.0.1:4567"
        app.render()
    }

    func stop() async {
        await app.stop()
        try? FileManager.default.removeItem(at: sampleDirectory)
    }

    /// Reads the state again (the change stream does this in the running console).
    /// Imports the pictures API, makes GET /api/pictures/all a MOCK with `requestTemplate`, and selects that method on
    /// the Resources pane.
    @discardableResult
    func mockPicturesAll(requestTemplate: String = "{\"statusCode\": 200}") async throws -> (RestApi, Resource) {
        let api = try await control.importRestApi(PicturesBackend.swagger, options: .init(endpointType: .regional)).api
        let resource = try #require(try control.resources(api: api.id).first { $0.path == "/api/pictures/all" })
        _ = try await control.putIntegration(
            api: api.id, resource: resource.id, httpMethod: "GET",
            integration: Integration(
                type: .mock, requestTemplates: ["application/json": requestTemplate],
                integrationResponses: ["200": IntegrationResponse(statusCode: "200")]))
        await reload()
        await press(.character("2"))
        for _ in 0..<5 { await press(.down) }
        return (api, resource)
    }

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

    /// The screen for golden comparison: ids come from a fixed sequence (`seeded`) and the port shown is fixed
    /// before drawing; only the sample's scratch folder, which each run makes anew, is named `/SAMPLE` after.
    /// The sample backend's port, which the system picks, is written `N` for each digit after too (so every row
    /// keeps its width).
    func normalizedScreen() async -> String {
        var text = self.text.replacingOccurrences(of: sampleDirectory.path, with: "/SAMPLE")
        if let backend = app.sample?.backend {
            let port = String(backend.port)
            text = text.replacingOccurrences(
                of: "\(backend.host):\(port)  ", with: "\(backend.host):\(String(repeating: "N", count: port.count))  ")
        }
        return text
    }
}

/// Runs `body` with ids and key values from a fixed sequence, so that golden screens show the same ones each run.
@MainActor
func seeded<T>(_ body: () async throws -> T) async rethrows -> T {
    try await Identifiers.$sequence.withValue(Identifiers.Sequence(seed: 20_261_202)) { try await body() }
}

/// Golden screens in `Snapshots/` beside this file; `RECORD_SNAPSHOTS=1 swift test` rewrites them, and a run that
/// records fails, so a recording is always looked at.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Snapshots")

    static func check(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let widths = Set(text.split(separator: "\n", omittingEmptySubsequences: false).map { TextWidth.of(String($0)) })
        #expect(
            widths.count == 1, "rows of \(name) have different widths: \(widths.sorted())",
            sourceLocation: sourceLocation)
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
