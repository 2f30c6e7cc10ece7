import Foundation
import NIOConcurrencyHelpers

/// One function's log, as Lambda writes it to CloudWatch: `START`/`END`/`REPORT` lines per invocation and each
/// line the handler prints, stamped with the time and the request id (`2026-12-02T05:00:00.123Z\tID\ttext`).
/// Lines go to `NAME.log` in the log directory (written off the event loops, in order) and the newest stay in
/// memory for the console.
public final class FunctionLog: Sendable {
    public let name: String
    public let file: URL?
    private let recent = NIOLockedValueBox<[String]>([])
    private let queue: DispatchQueue
    private let handle: NIOLockedValueBox<FileHandle?>
    static let kept = 500

    init(name: String, directory: URL?) {
        self.name = name
        queue = DispatchQueue(label: "gatehouse.function-log.\(name)")
        guard let directory else {
            file = nil
            handle = NIOLockedValueBox(nil)
            return
        }
        let file = directory.appendingPathComponent("\(name).log")
        self.file = file
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: file.path) {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let opened = try? FileHandle(forWritingTo: file)
        _ = try? opened?.seekToEnd()
        handle = NIOLockedValueBox(opened)
    }

    /// Writes a line as the handler's: `time\trequest id\ttext`, or `time\ttext` outside an invocation.
    func write(_ text: String, requestId: String?) {
        let stamp = FunctionLog.timestamp(Date())
        append(requestId.map { "\(stamp)\t\($0)\t\(text)" } ?? "\(stamp)\t\(text)")
    }

    /// Writes one of Lambda's own lines (`START RequestId: …`) as it is.
    func append(_ line: String) { append { line } }

    /// Writes a line made on the log's own queue, in order with the others: what it needs to read (a process's
    /// `/proc` status) is read there, off the event loops.
    func append(_ make: @escaping @Sendable () -> String) {
        let recent = self.recent
        let handle = self.handle
        queue.async {
            let line = make()
            recent.withLockedValue { lines in
                lines.append(line)
                if lines.count > FunctionLog.kept { lines.removeFirst(lines.count - FunctionLog.kept) }
            }
            handle.withLockedValue { try? $0?.write(contentsOf: Data((line + "\n").utf8)) }
        }
    }

    /// The newest lines, oldest first, once every line written so far is in.
    public var lines: [String] {
        queue.sync {}
        return recent.withLockedValue { $0 }
    }

    /// Closes the file once the lines written so far are in it; later lines stay in memory only.
    func close() {
        let handle = self.handle
        queue.async {
            handle.withLockedValue { handle in
                try? handle?.close()
                handle = nil
            }
        }
    }

    /// `2026-12-02T05:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let rest = Int(millis - days * 86_400_000)
        let (year, month, day) = CivilDate.from(days: days)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(rest / 3_600_000)):\(pad(rest / 60_000 % 60)):"
            + "\(pad(rest / 1000 % 60)).\(pad(rest % 1000, 3))Z"
    }
}

/// Days since 1970-01-01 to a civil date, without a calendar (Howard Hinnant's algorithm): the engine stamps
/// times on every templated request and every function log line.
enum CivilDate {
    static func from(days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), month, day)
    }

    /// A civil date to days since 1970-01-01 (the inverse of `from(days:)`).
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
