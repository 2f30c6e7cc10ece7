import Foundation
import GatewayEngine

/// Writes access-log lines to standard output from a thread of its own, so that an event loop never waits on a
/// terminal or a pipe that is slow to read, nor formats the line. Lines are written in batches; when more than
/// `capacity` wait (the reader has stalled), the newest are dropped and the count of dropped lines is written when
/// it catches up.
final class AccessLogWriter: @unchecked Sendable {  // every member is guarded by `condition`
    private let condition = NSCondition()
    private var lines: [AccessLogEntry] = []
    /// Whether the writing thread waits for lines (so that an append must wake it).
    private var waiting = false
    private var dropped = 0
    private var stopped = false
    private var finished = false
    let capacity: Int
    /// How long the writer waits, once woken, for more lines to write with the first (microseconds): a line
    /// appears at most this much later.
    static let gathering: UInt32 = 10_000

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        let thread = Thread { [self] in run() }
        thread.name = "gatehouse-access-log"
        thread.start()
    }

    /// Queues a line (never blocks on output). The writing thread is woken only when it waits: while it writes,
    /// lines gather for its next batch without a wake-up each.
    func append(_ entry: AccessLogEntry) {
        condition.lock()
        if lines.count < capacity {
            lines.append(entry)
        } else {
            dropped += 1
        }
        if waiting { condition.signal() }
        condition.unlock()
    }

    /// Writes what is queued and stops the thread (waiting at most `timeout` for a stalled standard output).
    func finish(timeout: TimeInterval = 2) {
        condition.lock()
        stopped = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(timeout)
        while !finished, condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func run() {
        // The lines taken each time; its storage goes back to `lines` emptied, so appends do not reallocate.
        var batch: [AccessLogEntry] = []
        while true {
            condition.lock()
            var woken = false
            while lines.isEmpty && dropped == 0 && !stopped {
                waiting = true
                condition.wait()
                waiting = false
                woken = true
            }
            if woken && !stopped {
                // Let a batch gather: under load, one wake-up for many lines rather than one for each.
                condition.unlock()
                usleep(AccessLogWriter.gathering)
                condition.lock()
            }
            swap(&batch, &lines)
            let lost = dropped
            let ending = stopped
            dropped = 0
            condition.unlock()
            var text = ""
            text.reserveCapacity(batch.count * 128)
            for entry in batch {
                text += entry.line
                text += "\n"
            }
            batch.removeAll(keepingCapacity: true)
            if lost > 0 { text += "(\(lost) access-log lines dropped: standard output was not being read)\n" }
            if !text.isEmpty { FileHandle.standardOutput.write(Data(text.utf8)) }
            if ending {
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
