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
        return latest
    }

    /// The newest lines as they are now.
    public var latest: [String] { recent.withLockedValue { $0 } }

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
        let time = CivilDate.Time(date)
        let millis =
            time.millisecond < 10
            ? "00\(time.millisecond)" : time.millisecond < 100 ? "0\(time.millisecond)" : "\(time.millisecond)"
        return "\(time.year)-\(CivilDate.two(time.month))-\(CivilDate.two(time.day))T\(time.clock(":")).\(millis)Z"
    }
}

/// Days since 1970-01-01 to a civil date, without a calendar (Howard Hinnant's algorithm): the engine stamps
/// times on every templated request and every function log line.
enum CivilDate {
    /// A moment's civil date and time of day in UTC.
    struct Time {
        var year, month, day, hour, minute, second, millisecond: Int
        /// Days since 1970-01-01 (a Thursday).
        var days: Int64

        init(_ date: Date) {
            let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
            days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
            let rest = Int(millis - days * 86_400_000)
            (year, month, day) = CivilDate.from(days: days)
            (hour, minute, second, millisecond) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000)
        }

        /// `Mon`…`Sun`.
        var weekday: String { ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)] }
        /// `Jan`…`Dec`.
        var monthName: String {
            ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
        }
        /// `07:00:00` (with `separator` between the parts).
        func clock(_ separator: String) -> String {
            CivilDate.two(hour) + separator + CivilDate.two(minute) + separator + CivilDate.two(second)
        }
    }

    /// Two digits.
    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

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
