import Foundation

/// Writes access-log lines to standard output from a thread of its own, so that an event loop never waits on a
/// terminal or a pipe that is slow to read. Lines are written in batches; when more than `capacity` wait (the
/// reader has stalled), the newest are dropped and the count of dropped lines is written when it catches up.
final class AccessLogWriter: @unchecked Sendable {  // every member is guarded by `condition`
    private let condition = NSCondition()
    private var lines: [String] = []
    private var dropped = 0
    private var stopped = false
    private var finished = false
    let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
        let thread = Thread { [self] in run() }
        thread.name = "gatehouse-access-log"
        thread.start()
    }

    /// Queues a line (never blocks on output).
    func append(_ line: String) {
        condition.lock()
        if lines.count < capacity {
            lines.append(line)
        } else {
            dropped += 1
        }
        condition.signal()
        condition.unlock()
    }

    /// Writes what is queued and stops the thread (waiting at most `timeout` for a stalled standard output).
    func finish(timeout: TimeInterval = 2) {
        condition.lock()
        stopped = true
        condition.signal()
        let deadline = Date().addingTimeInterval(timeout)
        while !finished, condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while lines.isEmpty && dropped == 0 && !stopped { condition.wait() }
            let batch = lines
            let lost = dropped
            let ending = stopped
            lines.removeAll(keepingCapacity: true)
            dropped = 0
            condition.unlock()
            var text = batch.joined(separator: "\n")
            if !batch.isEmpty { text += "\n" }
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
