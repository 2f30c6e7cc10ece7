import Atomics
import NIOCore
import NIOHTTP1

/// Header bytes passed on unchanged.
///
/// SwiftNIO's HTTP/1 decoder makes header values (and the request line) Swift strings from UTF-8, so a byte that
/// is not UTF-8 (obs-text such as Latin-1 `é`, `0xE9`) would become U+FFFD and reach the other side changed.
/// Before the decoder, `HeadEscaper` replaces each such byte of a message head with a private-use code point
/// (`U+10FF00 + byte`, 4 bytes of UTF-8); the encoders of outgoing heads (`ResponseEncoding`, `RequestEncoding`)
/// turn those code points back into the bytes they stand for. Valid UTF-8 is left as it is, and bodies are never
/// touched: the escaper asks the handler after the decoder (`HeadFraming`) where the head ends and how much body
/// follows.
enum HeaderBytes {
    /// Set once any head has been escaped: until then no outgoing head is looked at for escapes.
    static let escapesSeen = ManagedAtomic<Bool>(false)

    /// Whether an outgoing head may hold escapes (a relaxed load on the common path).
    static func mayHaveEscapes(uri: String = "", _ headers: HTTPHeaders) -> Bool {
        guard escapesSeen.load(ordering: .relaxed) else { return false }
        return hasEscape(uri) || headers.contains { hasEscape($0.name) || hasEscape($0.value) }
    }

    /// Whether `buffer` has a byte outside ASCII.
    static func hasHighByte(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in bytes.contains { $0 >= 0x80 } }
    }

    /// Whether `text` holds an escaped byte.
    static func hasEscape(_ text: String) -> Bool {
        // Nearly every value has no 0xF4 at all: looked for in the string's own storage first.
        if let found = text.utf8.withContiguousStorageIfAvailable({ $0.contains(0xF4) }), !found { return false }
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            if previous == (0xF4, 0x8F) && (byte == 0xBE || byte == 0xBF) { return true }
            previous = (previous.1, byte)
        }
        return false
    }

    /// `bytes` with every byte that is not part of a well-formed UTF-8 sequence escaped.
    static func escape(_ bytes: ByteBufferView) -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(bytes.count + 16)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            let length = wellFormedLength(bytes, at: index)
            if length > 0 {
                output.writeBytes(bytes[index..<bytes.index(index, offsetBy: length)])
                index = bytes.index(index, offsetBy: length)
            } else {
                writeEscape(byte, into: &output)
                index = bytes.index(after: index)
                if !escapesSeen.load(ordering: .relaxed) { escapesSeen.store(true, ordering: .relaxed) }
            }
        }
        return output
    }

    /// `buffer` with every escape turned back into its byte.
    static func unescape(_ buffer: ByteBuffer) -> ByteBuffer {
        let view = buffer.readableBytesView
        var output = ByteBuffer()
        output.reserveCapacity(view.count)
        var index = view.startIndex
        while index < view.endIndex {
            let rest = view.distance(from: index, to: view.endIndex)
            if rest >= 4, view[index] == 0xF4, view[view.index(index, offsetBy: 1)] == 0x8F {
                let third = view[view.index(index, offsetBy: 2)]
                let fourth = view[view.index(index, offsetBy: 3)]
                if third == 0xBE || third == 0xBF, (0x80...0xBF).contains(fourth) {
                    output.writeInteger(third == 0xBE ? fourth : fourth + 0x40)
                    index = view.index(index, offsetBy: 4)
                    continue
                }
            }
            output.writeInteger(view[index])
            index = view.index(after: index)
        }
        return output
    }

    /// The bytes an escaped code point stands for, as the byte itself, within `bytes` (for percent-encoding
    /// path segments): an escape sequence becomes its one byte.
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0xF4) else { return bytes }
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        let output = unescape(buffer)
        return Array(output.readableBytesView)
    }

    private static func writeEscape(_ byte: UInt8, into output: inout ByteBuffer) {
        // U+10FF00 + byte: F4 8F BE (80…BF) for 0x80…0xBF, F4 8F BF (80…BF) for 0xC0…0xFF.
        output.writeInteger(UInt8(0xF4))
        output.writeInteger(UInt8(0x8F))
        output.writeInteger(byte < 0xC0 ? UInt8(0xBE) : UInt8(0xBF))
        output.writeInteger(byte < 0xC0 ? byte : byte - 0x40)
    }

    /// The length of the well-formed UTF-8 sequence at `index` (1 for ASCII), or 0 when the byte there does not
    /// start one (Unicode's table of well-formed sequences: no overlongs, no surrogates, nothing above U+10FFFF).
    /// An escape sequence that came from the client counts as ill-formed, so that it cannot be forged.
    private static func wellFormedLength(_ bytes: ByteBufferView, at index: ByteBufferView.Index) -> Int {
        let first = bytes[index]
        if first < 0x80 { return 1 }
        let available = bytes.distance(from: index, to: bytes.endIndex)
        func byte(_ offset: Int) -> UInt8? {
            offset < available ? bytes[bytes.index(index, offsetBy: offset)] : nil
        }
        func continuation(_ value: UInt8?, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            value.map { range.contains($0) } ?? false
        }
        switch first {
        case 0xC2...0xDF:
            return continuation(byte(1)) ? 2 : 0
        case 0xE0:
            return continuation(byte(1), 0xA0...0xBF) && continuation(byte(2)) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(byte(1)) && continuation(byte(2)) ? 3 : 0
        case 0xED:
            return continuation(byte(1), 0x80...0x9F) && continuation(byte(2)) ? 3 : 0
        case 0xF0:
            return continuation(byte(1), 0x90...0xBF) && continuation(byte(2)) && continuation(byte(3)) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(byte(1)) && continuation(byte(2)) && continuation(byte(3)) ? 4 : 0
        case 0xF4:
            // U+10FF80…U+10FFFF are the escapes themselves: not taken from the wire as they are.
            if byte(1) == 0x8F, byte(2) == 0xBE || byte(2) == 0xBF { return 0 }
            return continuation(byte(1), 0x80...0x8F) && continuation(byte(2)) && continuation(byte(3)) ? 4 : 0
        default:
            return 0
        }
    }
}

/// Where the HTTP decoder after a `HeadEscaper` stands: in a head (or between messages), or in a body with so
/// many bytes left (nil: not known, as with a chunked body).
enum MessageFraming {
    case head
    case body(remaining: Int?)
}

/// The handler after the decoder, which knows the framing of what it has been given.
protocol HeadFraming: AnyObject {
    var framing: MessageFraming { get }
}

/// Escapes the bytes of message heads that are not UTF-8 before the HTTP decoder sees them (see `HeaderBytes`).
/// Buffers with no byte outside ASCII, nearly all of them, pass untouched.
final class HeadEscaper: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The handler after the decoder (held strongly: it holds nothing of this one).
    var framing: HeadFraming?
    /// The last four bytes passed on (the newest in the low byte), to find a `\r\n\r\n` that spans two reads.
    private var tail: UInt32 = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let framing else {
            context.fireChannelRead(data)
            return
        }
        // Body bytes are never looked at: a read that is all body, or one with no byte outside ASCII, passes.
        var wholeBody = false
        if case .body(let remaining) = framing.framing {
            wholeBody = remaining.map { $0 >= buffer.readableBytes } ?? true
        }
        guard !wholeBody, HeaderBytes.hasHighByte(buffer) else {
            remember(buffer)
            context.fireChannelRead(data)
            return
        }
        while buffer.readableBytes > 0 {
            switch framing.framing {
            case .body(let remaining?) where remaining > 0:
                let part = buffer.readSlice(length: min(remaining, buffer.readableBytes))!
                pass(part, context: context)
            case .body:
                // A body of unknown length (chunked): the rest of this read goes as it is.
                pass(buffer, context: context)
                return
            case .head:
                let end = headEnd(in: buffer)
                let head = buffer.readSlice(length: end ?? buffer.readableBytes)!
                pass(HeaderBytes.escape(head.readableBytesView), context: context)
            }
        }
    }

    private func pass(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        remember(buffer)
        context.fireChannelRead(wrapInboundOut(buffer))
    }

    /// Where, in `buffer`, the head being read ends (just after its blank line); nil when it does not end here.
    private func headEnd(in buffer: ByteBuffer) -> Int? {
        var window = tail
        var offset = 0
        for byte in buffer.readableBytesView {
            offset += 1
            window = window << 8 | UInt32(byte)
            if window == 0x0D0A_0D0A { return offset }
        }
        return nil
    }

    private func remember(_ buffer: ByteBuffer) {
        for byte in buffer.readableBytesView.suffix(4) { tail = tail << 8 | UInt32(byte) }
    }
}
