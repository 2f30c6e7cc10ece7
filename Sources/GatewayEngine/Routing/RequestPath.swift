/// Request paths as the gateway routes and forwards them.
///
/// A client may spell one resource many ways: `/a/./b`, `/a/x/../b`, `/a/%2e%2e/b`. Routing on the raw text
/// would let `/open/../secure/x` match the keyless `/open/{proxy+}` while the backend, resolving the dot-segment,
/// serves `/secure/x`. So the gateway routes on a normal form (RFC 3986 §6.2.2: percent-encoded unreserved
/// characters decoded, then dot-segments removed as §5.2.4 does), and forwards path-parameter values segment by
/// segment with every byte outside the unreserved set and sub-delimiters re-encoded: a `%2F` in a segment stays
/// `%2F`, a segment that decodes to `.` or `..` is sent as `%2E`/`%2E%2E`, and `%FF` is sent as `%FF`, never
/// `%25FF`.
enum RequestPath {
    /// `path` (which starts with `/`) in normal form: unreserved characters decoded, hex digits of the remaining
    /// escapes upper-cased, dot-segments removed. Never climbs above `/`. Empty segments are kept as they are.
    static func normalized(_ path: Substring) -> String {
        // The common case: no `%` and no `.` segment to resolve; looked for without copying the path.
        guard needsWork(path.utf8) else { return String(path) }
        let bytes = Array(path.utf8)
        var segments: [[UInt8]] = []
        let trailingSlash = bytes.last == UInt8(ascii: "/")
        for raw in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst() {
            let segment = normalizeEscapes(raw)
            if segment == [UInt8(ascii: ".")] { continue }
            if segment == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for segment in segments {
            result.append(UInt8(ascii: "/"))
            result.append(contentsOf: segment)
        }
        // `/a/..` and `/a/.` name the directory: keep the slash that the dot-segment implied.
        let last = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last.map {
            normalizeEscapes($0)
        }
        if trailingSlash || last == [UInt8(ascii: ".")] || last == [UInt8(ascii: "."), UInt8(ascii: ".")] {
            if result.last != UInt8(ascii: "/") { result.append(UInt8(ascii: "/")) }
        }
        if result.isEmpty { result = [UInt8(ascii: "/")] }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether the path has a `%` or a segment that is `.` or `..` as written.
    private static func needsWork(_ bytes: Substring.UTF8View) -> Bool {
        // Bytes since the last `/` that are all dots (0 when some other byte came), or -1 before any `/`.
        var dots = -1
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "%"): return true
            case UInt8(ascii: "/"):
                if dots == 1 || dots == 2 { return true }
                dots = 0
            case UInt8(ascii: "."): if dots >= 0 && dots < 3 { dots += 1 }
            default: dots = 3
            }
        }
        return dots == 1 || dots == 2
    }

    /// A segment with escapes of unreserved characters decoded and the hex of the others upper-cased.
    static func normalizeEscapes(_ segment: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(segment.count)
        var index = segment.startIndex
        while index < segment.endIndex {
            let byte = segment[index]
            if byte == UInt8(ascii: "%"), index + 2 < segment.endIndex, let high = hexValue(segment[index + 1]),
                let low = hexValue(segment[index + 2])
            {
                let decoded = high << 4 | low
                if isUnreserved(decoded) {
                    result.append(decoded)
                } else {
                    result.append(UInt8(ascii: "%"))
                    result.append(hexDigit(decoded >> 4))
                    result.append(hexDigit(decoded & 0xF))
                }
                index += 3
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }

    /// The bytes a segment stands for, every valid escape decoded (an invalid one is kept as written).
    static func decodedBytes(_ segment: Substring) -> [UInt8] {
        let bytes = Array(segment.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
            {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    /// A segment's value as text: decoded, with bytes that are not UTF-8 shown as U+FFFD.
    static func decoded(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        return String(decoding: decodedBytes(segment), as: UTF8.self)
    }

    /// One path segment's bytes encoded for a backend's request line: nothing in it can act as a `/`, and it is
    /// never a dot-segment.
    static func encodeSegment(_ escaped: [UInt8]) -> String {
        // Bytes of the request line that were not UTF-8 arrive escaped (see `HeaderBytes`): sent as themselves.
        let bytes = HeaderBytes.unescape(escaped)
        if bytes == [UInt8(ascii: ".")] { return "%2E" }
        if bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { return "%2E%2E" }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        for byte in bytes {
            if isUnreserved(byte) || isSegmentSafe(byte) {
                result.append(byte)
            } else {
                result.append(UInt8(ascii: "%"))
                result.append(hexDigit(byte >> 4))
                result.append(hexDigit(byte & 0xF))
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A raw (as received) path-parameter value, forwarded: each `/`-separated segment decoded and re-encoded.
    static func forwardRaw(_ raw: String) -> String {
        raw.split(separator: "/", omittingEmptySubsequences: false).map { encodeSegment(decodedBytes($0)) }
            .joined(separator: "/")
    }

    /// A value from elsewhere (a header, the query string, a literal) put into a path: one segment, so that even
    /// a `/` in it stays data.
    static func forwardValue(_ value: String) -> String { encodeSegment(Array(value.utf8)) }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    /// Sub-delimiters and `:` `@`, which a path segment may carry as they are.
    private static func isSegmentSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "@"),
            UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"):
            return true
        default: return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10
    }
}
