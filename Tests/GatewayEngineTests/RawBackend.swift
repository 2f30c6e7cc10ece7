import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A backend that speaks HTTP/1.1 by hand, for tests that need answers no well-behaved server gives: it reads
/// request heads (GET, no body), records each, and writes whatever bytes `answer` returns for it.
final class RawBackend: Sendable {
    let channel: Channel
    let group: MultiThreadedEventLoopGroup
    private let heads: NIOLockedValueBox<[String]>
    private let open: NIOLockedValueBox<(now: Int, most: Int)>
    var port: Int { channel.localAddress!.port! }

    /// - Parameters:
    ///   - delay: how long to wait before answering each request.
    ///   - answer: the bytes to write for a request head (its text up to the blank line).
    init(delay: TimeAmount = .zero, _ answer: @escaping @Sendable (String) -> String = RawBackend.echo) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let heads = NIOLockedValueBox<[String]>([])
        let open = NIOLockedValueBox((now: 0, most: 0))
        self.group = group
        self.heads = heads
        self.open = open
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                open.withLockedValue { counts in
                    counts.now += 1
                    counts.most = max(counts.most, counts.now)
                }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0.now -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(heads: heads, delay: delay, answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Answers 200 with the request line as the body.
    static func echo(_ head: String) -> String {
        response(body: String(head.prefix { $0 != "\r" }))
    }

    /// A complete HTTP/1.1 response with a JSON-ish body.
    static func response(status: Int = 200, body: String, headers: String = "") -> String {
        "HTTP/1.1 \(status) OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
    }

    /// The request heads received, in order.
    var received: [String] { heads.withLockedValue { $0 } }
    /// The request targets received (the path and query of each request line).
    var targets: [String] {
        received.map { head in
            let line = head.prefix { $0 != "\r" }.split(separator: " ")
            return line.count > 1 ? String(line[1]) : ""
        }
    }
    /// The most connections open at once.
    var mostConnections: Int { open.withLockedValue { $0.most } }
    var openConnections: Int { open.withLockedValue { $0.now } }

    /// Bytes as Latin-1 text: each byte one character of the same value.
    static func latin1<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    func stop() async {
        try? await channel.close().get()
        try? await group.shutdownGracefully()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let heads: NIOLockedValueBox<[String]>
        let delay: TimeAmount
        let answer: @Sendable (String) -> String
        /// Bytes received and not yet a whole head, kept as Latin-1 text so that every byte stays itself.
        var pending = ""

        init(heads: NIOLockedValueBox<[String]>, delay: TimeAmount, answer: @escaping @Sendable (String) -> String) {
            self.heads = heads
            self.delay = delay
            self.answer = answer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += RawBackend.latin1(unwrapInboundIn(data).readableBytesView)
            while let end = pending.range(of: "\r\n\r\n") {
                let head = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                heads.withLockedValue { $0.append(head) }
                let bytes = ByteBuffer(bytes: answer(head).unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
                let channel = context.channel
                if delay == .zero {
                    channel.writeAndFlush(bytes, promise: nil)
                } else {
                    channel.eventLoop.scheduleTask(in: delay) { channel.writeAndFlush(bytes, promise: nil) }
                }
            }
        }
    }
}
