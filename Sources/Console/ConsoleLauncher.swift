import Foundation
import GatewayControl
import TerminalCurses
import TerminalUI

/// Opens the real terminal and runs the console on it until the user quits (or SIGTERM/SIGHUP arrive).
@MainActor
public enum ConsoleLauncher {
    /// Runs the console; returns an error message when the terminal could not be opened.
    public static func run(control: GatewayControl, options: ConsoleApp.Options) async -> String? {
        let surface: CursesSurface
        do {
            surface = try CursesSurface()
        } catch {
            return error.description
        }
        CursesSurface.restoreTerminalOnCrash()
        let app = ConsoleApp(control: control, surface: surface, options: options)
        let stop = StopSignals()
        app.stopRequested = { stop.received }
        await app.run()
        surface.close()
        return nil
    }

    /// Theme directories: the user's, then the repository's `themes/` (found above the executable), then `./themes`.
    public static func themeDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var directories: [URL] = []
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            directories.append(URL(fileURLWithPath: config).appendingPathComponent("gatehouse/themes"))
        } else if let home = environment["HOME"] {
            directories.append(URL(fileURLWithPath: home).appendingPathComponent(".config/gatehouse/themes"))
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("themes")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("default.theme").path) {
                directories.append(candidate)
                break
            }
            directory = directory.deletingLastPathComponent()
        }
        directories.append(
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("themes"))
        return directories
    }
}

/// Notices SIGTERM and SIGHUP so the console can restore the terminal and stop cleanly.
final class StopSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var flag = false

    init() {
        for number in [SIGTERM, SIGHUP, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.lock.withLock { self?.flag = true } }
            source.resume()
            sources.append(source)
        }
    }

    var received: Bool { lock.withLock { flag } }
}
