import Foundation
import GatewayModel
import NIOCore

/// The execution log of a Test invocation, in API Gateway's line format:
/// `Thu Aug 31 01:07:25 UTC 2017 : Method completed with status: 200`.
final class ExecutionLog: @unchecked Sendable {  // filled on one event loop, read after it completes
    private(set) var lines: [String] = []
    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss 'UTC' yyyy"
        return formatter
    }()

    /// Adds a line stamped with the current time.
    func add(_ text: String) {
        lines.append("\(ExecutionLog.formatter.string(from: Date())) : \(text)")
    }

    /// The whole log, one line each, after its heading.
    func text(requestId: String) -> String {
        (["Execution log for request \(requestId)"] + lines).joined(separator: "\n") + "\n"
    }

    /// A map printed as API Gateway prints maps: `{k1=v1, k2=v2}`, cut at 1,000 characters.
    static func map(_ pairs: [(String, String)]) -> String {
        let text = "{" + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + "}"
        return text.count > 1000 ? String(text.prefix(998)) + " [TRUNCATED]" : text
    }

    /// Headers as logged: the values of `x-api-key` and `Authorization` masked to their last six characters, as
    /// the access log masks the key (a log is shown and shared; a key or token in it is a key given away).
    static func headers(_ pairs: [(String, String)]) -> String {
        map(
            pairs.map { name, value in
                let lower = name.lowercased()
                return lower == "x-api-key" || lower == "authorization" ? (name, ApiKey.mask(value)) : (name, value)
            })
    }

    /// A body as logged: cut at 1,000 characters.
    static func body(_ text: String) -> String {
        text.count > 1000 ? String(text.prefix(998)) + " [TRUNCATED]" : text
    }

    /// A body as the log shows it: `[Binary Data]` for a binary one, else its text, truncated.
    static func body(_ buffer: ByteBuffer?, binary: Bool) -> String {
        binary ? "[Binary Data]" : body(buffer.map { String(buffer: $0) } ?? "")
    }
}
