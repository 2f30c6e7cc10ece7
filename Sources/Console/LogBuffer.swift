import Foundation
import GatewayEngine

/// The engine's access log, kept for the Logs pane: the last 2,000 lines.
final class LogBuffer: Sendable {
    private let lines = NSLockedLines()

    func append(_ entry: AccessLogEntry) { lines.append(entry.line) }

    var all: [String] { lines.snapshot }
}

final class NSLockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    func append(_ line: String) {
        lock.withLock {
            storage.append(line)
            if storage.count > 2000 { storage.removeFirst(storage.count - 2000) }
        }
    }

    var snapshot: [String] { lock.withLock { storage } }
}
