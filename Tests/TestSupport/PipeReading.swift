import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The next bytes a descriptor gives: a blocking read(2), retried when a signal interrupts it; nil at the end or on
/// an error. Foundation's `availableData` traps on EINTR, and its `readabilityHandler` rests on a dispatch source
/// that has crashed under load; tests read their child processes' pipes with this.
public func readChunk(_ descriptor: Int32) -> Data? {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { return Data(buffer[..<count]) }
        if count == 0 || errno != EINTR { return nil }
    }
}
