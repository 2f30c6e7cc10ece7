import ArgumentParser
import Console
import Foundation
import GatewayControl
import GatewayStore

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the console (the default): the API Gateway screens, with the engine serving on loopback.")

    @Option(help: "The port the engine serves on (a busy port falls back to a free one).")
    var port: Int = 4567

    @Option(help: "The theme: default, light, high-contrast, mono or one of yours (also GATEHOUSE_THEME).")
    var theme: String?

    @Flag(name: .customLong("no-sample"), help: "Do not offer the sample workspace on an empty state.")
    var noSample = false

    @OptionGroup var controlOptions: ControlAPIOptions

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let location = options.state ?? GatewayStore.defaultLocation()
            let control = try GatewayControl(location: location)
            // The sample's files go beside a state file; for a PostgreSQL state, in this machine's state folder.
            let sampleDirectory =
                location == ":memory:"
                ? FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-sample-\(getpid())")
                : URL(fileURLWithPath: control.store.isShared ? GatewayStore.defaultLocation() : location)
                    .deletingLastPathComponent().appendingPathComponent("sample")
            let environment = ProcessInfo.processInfo.environment
            let chosenTheme = theme ?? environment["GATEHOUSE_THEME"] ?? "default"
            let problem = await ConsoleLauncher.run(
                control: control,
                options: .init(
                    port: port, theme: chosenTheme, themeDirectories: await ConsoleLauncher.themeDirectories(),
                    sampleDirectory: sampleDirectory, offerSample: !noSample,
                    controlResponder: controlOptions.noControlApi ? nil : controlOptions.api(control).responder,
                    controlPort: controlOptions.controlPort))
            if let problem { throw CLIError(message: problem) }
        }
    }
}
