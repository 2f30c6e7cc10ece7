import NIOCore
import NIOHTTP1

/// Writes an answer to a client as the bytes that go on the wire: status line, headers and body in one buffer
/// (one write and one flush per answer), instead of three parts through NIO's response encoder and header
/// validator. It keeps what those did: the framing (`Content-Length` set from the body, none and no body for 1xx,
/// 204 and 304, no body for HEAD), header names and values checked before anything is sent, and escaped header
/// bytes turned back into themselves (see `HeaderBytes`).
enum ResponseEncoding {
    /// Bodies up to this size are copied behind the head, so that the answer is one buffer; larger ones follow it.
    static let copiedBody = 16 * 1024

    /// Why an answer could not be encoded.
    struct InvalidHeader: Error { var name: String }

    /// The answer's bytes: the head with `body` behind it when small, else the head and the body apart.
    /// `Content-Length`, `Date` and `Connection` are the encoder's own (any in `headers` are left out), as is
    /// `Transfer-Encoding`. Throws when a header name is not a token or a value holds a control character.
    static func encode(
        status: Int, version: HTTPVersion, headers: HTTPHeaders, body: ByteBuffer, method: HTTPMethod, keepAlive: Bool,
        date: String, allocator: ByteBufferAllocator
    ) throws -> (head: ByteBuffer, body: ByteBuffer?) {
        let bodyless = (100..<200).contains(status) || status == 204 || status == 304
        let sendsBody = !bodyless && method != .HEAD && body.readableBytes > 0
        let copies = sendsBody && body.readableBytes <= copiedBody
        var buffer = allocator.buffer(capacity: 256 + (copies ? body.readableBytes : 0))
        writeStatusLine(status, version: version, into: &buffer)
        for (name, value) in headers {
            guard validName(name), validValue(value) else { throw InvalidHeader(name: name) }
            if isFraming(name) { continue }
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        if !bodyless {
            buffer.writeStaticString("Content-Length: ")
            writeDecimal(body.readableBytes, into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Date: ")
        buffer.writeString(date)
        buffer.writeStaticString(keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
        if HeaderBytes.mayHaveEscapes(headers) { buffer = HeaderBytes.unescape(buffer) }
        guard sendsBody else { return (buffer, nil) }
        if copies {
            var copy = body
            buffer.writeBuffer(&copy)
            return (buffer, nil)
        }
        return (buffer, body)
    }

    /// `Content-Length`, `Date`, `Connection` and `Transfer-Encoding`, in any case.
    static func isFraming(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            switch bytes.count {
            case 4: return equalsLowercased(bytes, "date")
            case 10: return equalsLowercased(bytes, "connection")
            case 14: return equalsLowercased(bytes, "content-length")
            case 17: return equalsLowercased(bytes, "transfer-encoding")
            default: return false
            }
        }
    }

    /// Whether `bytes`, lower-cased (ASCII), are `lower`.
    static func equalsLowercased(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        let expected = lower.utf8Start
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != expected[index] { return false }
        }
        return true
    }

    /// A header name is a token (RFC 9110 §5.6.2).
    static func validName(_ name: String) -> Bool { ByteClass.token.allows(name) }

    /// A header value holds no control character but tab (RFC 9110 §5.5): no CR or LF that would split the answer.
    static func validValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in bytes.allSatisfy { $0 >= 0x20 ? $0 != 0x7F : $0 == 0x09 } }
    }

    static func writeStatusLine(_ status: Int, version: HTTPVersion, into buffer: inout ByteBuffer) {
        if version.major == 1 && version.minor == 0 {
            buffer.writeStaticString("HTTP/1.0 ")
        } else {
            buffer.writeStaticString("HTTP/1.1 ")
        }
        if status == 200 {
            buffer.writeStaticString("200 OK\r\n")
            return
        }
        writeDecimal(status, into: &buffer)
        buffer.writeStaticString(" ")
        buffer.writeString(HTTPResponseStatus(statusCode: status).reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    /// A non-negative integer in decimal, without making a string.
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = max(0, value)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[19 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(20 - count)...]))
        }
    }
}

/// A set of header names matched without regard to ASCII case and without allocating: a lower-cased name is not
/// made for each header of each request.
struct HeaderNameSet: Sendable {
    /// The names, lower-cased, by length.
    private let byLength: [[[UInt8]]]

    init(_ names: [String]) {
        var table = [[[UInt8]]](repeating: [], count: (names.map(\.utf8.count).max() ?? 0) + 1)
        for name in names { table[name.utf8.count].append(Array(name.lowercased().utf8)) }
        byLength = table
    }

    func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard bytes.count < byLength.count else { return false }
            for candidate in byLength[bytes.count] where HeaderNameSet.equal(bytes, candidate) { return true }
            return false
        }
    }

    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: [UInt8]) -> Bool {
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != lower[index] { return false }
        }
        return true
    }
}

/// A set of ASCII bytes, looked up by table: which bytes a token or a request target may hold.
struct ByteClass: Sendable {
    private let allowed: [Bool]

    init(_ characters: String) {
        var table = [Bool](repeating: false, count: 256)
        for byte in characters.utf8 { table[Int(byte)] = true }
        allowed = table
    }

    /// Whether `text` is not empty and every byte of it is in the set.
    func allows(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in !bytes.isEmpty && bytes.allSatisfy { allowed[Int($0)] } }
    }

    static let alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    /// RFC 9110 §5.6.2's `tchar`.
    static let token = ByteClass(alphanumerics + "!#$%&'*+-.^_`|~")
    /// RFC 3986's unreserved characters, delimiters and `%`: what a request target may hold unencoded.
    static let target = ByteClass(alphanumerics + "-._~:/?#[]@!$&'()*+,;=%")
}
