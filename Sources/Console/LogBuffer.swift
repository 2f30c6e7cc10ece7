import Foundation
import GatewayEngine
import NIOConcurrencyHelpers

/// The engine's access log, kept for the Logs pane: the last 2,000 requests, with what happened inside each.
final class LogBuffer: Sendable {
    static let capacity = 2000
    private let entries = NIOLockedValueBox<[AccessLogEntry]>([])

    func append(_ entry: AccessLogEntry) {
        entries.withLockedValue { entries in
            entries.append(entry)
            if entries.count > Self.capacity { entries.removeFirst(entries.count - Self.capacity) }
        }
    }

    var all: [AccessLogEntry] { entries.withLockedValue { $0 } }
}
