import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import GatewayEngine

/// How answers are framed on the wire, now that the gateway writes their bytes itself: the body length, no body
/// where HTTP allows none, a bad request refused, and a header that would split an answer never sent.
@Suite(.serialized) struct ResponseFramingTests {
    @Test func bodylessStatusesAndHEADAreFramedSoTheConnectionCarriesOn() async throws {
        let backend = try await RawBackend { head in
            if head.hasPrefix("HEAD ") {
                return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
            }
            if head.contains("/open/empty") { return "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n" }
            if head.contains("/open/same") { return "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n" }
            return RawBackend.response(body: "hello")
        }
        try await ProxyGateway.with(backend, paths: [("/open/{proxy+}", false), ("/secure/{proxy+}", true)]) {
            gateway, _ in
            let raw = try await RawConnection(port: gateway.port)
            let requests = [
                "HEAD \(gateway.base)/secure/x", "HEAD \(gateway.base)/open/x", "GET \(gateway.base)/open/empty",
                "GET \(gateway.base)/open/same",
                "GET \(gateway.base)/open/x",
            ]
            // All five on one connection: each answer must end where the next begins.
            try await raw.send(requests.map { "\($0) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" }.joined())
            let text = await raw.text(within: .seconds(20)) { $0.hasSuffix("hello") }
            await raw.close()
            var answers = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + $0 }
            #expect(answers.count == 5, "\(text)")
            guard answers.count == 5 else { return }
            // The gateway's own 403 to a HEAD: the length of the body a GET would get, and no body.
            let refused = answers.removeFirst()
            #expect(refused.hasPrefix("HTTP/1.1 403 Forbidden\r\n"), "\(refused)")
            #expect(refused.contains("\r\nContent-Length: 23\r\n") && refused.hasSuffix("\r\n\r\n"), "\(refused)")
            #expect(answers[0].hasPrefix("HTTP/1.1 200 OK\r\n"))
            // The backend's length is remapped, as API Gateway does; the gateway's own is of the (empty) body it has.
            #expect(answers[0].contains("\r\nx-amzn-Remapped-Content-Length: 5\r\n"), "\(answers[0])")
            #expect(answers[0].contains("\r\nContent-Length: 0\r\n"), "\(answers[0])")
            #expect(answers[0].hasSuffix("\r\n\r\n"), "HEAD has no body: \(answers[0])")
            for (answer, status) in [(answers[1], "204 No Content"), (answers[2], "304 Not Modified")] {
                #expect(answer.hasPrefix("HTTP/1.1 \(status)\r\n"), "\(answer)")
                #expect(!answer.lowercased().contains("\r\ncontent-length:"), "\(answer)")
                #expect(answer.hasSuffix("\r\n\r\n"))
            }
            #expect(answers[2].contains("ETag: \"v1\""))
            #expect(answers[3].hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answers[3].contains("Content-Length: 5\r\n") && answers[3].hasSuffix("\r\n\r\nhello"))
            #expect(answers[3].contains("Connection: keep-alive\r\n"))
        }
    }

    @Test func aRequestThatIsNotHTTPIsAnswered400AndClosed() async throws {
        try await ProxyGateway.with(RawBackend()) { gateway, backend in
            let answer = try await rawExchange(port: gateway.port, "GET /x HTTP/1.1\r\nHo st: a\r\n\r\n") {
                $0.contains("\r\n\r\n")
            }
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
            #expect(answer.contains("Connection: close"))
            #expect(backend.targets.isEmpty)
        }
    }

    @Test func aMappedHeaderThatWouldSplitTheAnswerIsA500() async throws {
        let control = try GatewayControl(location: ":memory:")
        let engine = control.makeEngine(threads: 1)
        try await control.attach(engine)
        try await withCleanup({ try? await engine.stop() }) {
            let port = try await engine.start(port: 0)
            let api = try await control.createRestApi(name: "framing")
            let resource = try await control.ensureResource(api: api.id, path: "/thing")
            _ = try await control.putMethod(api: api.id, resource: resource.id, httpMethod: "GET")
            let response = IntegrationResponse(
                statusCode: "200",
                responseParameters: ["method.response.header.X-Note": "'a\r\nSet-Cookie: session=stolen'"])
            _ = try await control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: "GET",
                integration: Integration(type: .mock, integrationResponses: ["200": response]))
            _ = try await control.putIntegrationResponse(
                api: api.id, resource: resource.id, httpMethod: "GET", response: response)
            _ = try await control.createDeployment(api: api.id, stageName: "test")
            let answer = try await rawExchange(
                port: port, "GET /restapis/\(api.id)/test/_user_request_/thing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            ) { $0.contains("}") }
            #expect(answer.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"), "\(answer)")
            #expect(!answer.contains("Set-Cookie"), "\(answer)")
            #expect(answer.contains("\"message\""))
        }
    }

    @Test func theEncoderChecksNamesAndValuesAndWritesTheLength() throws {
        func encode(_ headers: HTTPHeaders, status: Int = 200, body: String = "{}", method: HTTPMethod = .GET) throws
            -> String
        {
            let (head, rest) = try ResponseEncoding.encode(
                status: status, version: .http1_1, headers: headers, body: ByteBuffer(string: body), method: method,
                keepAlive: true, date: "Wed, 02 Dec 2026 10:00:00 GMT", allocator: ByteBufferAllocator())
            return String(buffer: head) + (rest.map { String(buffer: $0) } ?? "")
        }
        #expect(
            try encode(["Content-Type": "application/json", "content-length": "99", "Transfer-Encoding": "chunked"])
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Date: Wed, 02 Dec 2026 10:00:00 GMT\r\nConnection: keep-alive\r\n\r\n{}")
        #expect(try encode([:], status: 418).hasPrefix("HTTP/1.1 418 I'm a teapot\r\n"))
        for bad: HTTPHeaders in [["X-A": "a\rb"], ["X-A": "a\nb"], ["X-A": "a\u{0}b"], ["X A": "v"], ["X:A": "v"]] {
            #expect(throws: ResponseEncoding.InvalidHeader.self) { try encode(bad) }
        }
        #expect(try encode(["X-A": "tab\tand obs-text \u{E9}"]).contains("X-A: tab\tand obs-text \u{E9}\r\n"))
        // A body larger than what is copied behind the head goes out as a buffer of its own, whole.
        let large = String(repeating: "x", count: ResponseEncoding.copiedBody + 1)
        let encoded = try encode([:], body: large)
        #expect(encoded.contains("Content-Length: \(large.utf8.count)\r\n") && encoded.hasSuffix("\r\n\r\n" + large))
    }

    @Test func backendRequestsAreEncodedAndCheckedAsNIOChecksThem() throws {
        func encode(_ method: HTTPMethod, _ target: String, _ headers: HTTPHeaders, body: String? = nil) throws
            -> String
        {
            let (head, rest) = try RequestEncoding.encode(
                UpstreamRequest(
                    method: method, target: target, headers: headers, body: body.map { ByteBuffer(string: $0) }),
                allocator: ByteBufferAllocator())
            return String(buffer: head) + (rest.map { String(buffer: $0) } ?? "")
        }
        #expect(
            try encode(.GET, "/items?a=1", ["Host": "backend:8080", "X-Trace": "t"])
                == "GET /items?a=1 HTTP/1.1\r\nHost: backend:8080\r\nX-Trace: t\r\n\r\n")
        // A body's length is the encoder's own; POST, PUT and PATCH say 0 when they have none.
        #expect(
            try encode(.POST, "/p", ["content-length": "999"], body: "{}")
                == "POST /p HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try encode(.PUT, "/p", [:]) == "PUT /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        for (target, headers): (String, HTTPHeaders) in [
            ("/a b", [:]), ("/a\u{E9}", [:]), ("/a\"b", [:]), ("/ok", ["X-A": "a\r\nX-Injected: 1"]),
            ("/ok", ["X A": "v"]),
        ] {
            #expect(throws: RequestEncoding.Unsendable.self, "\(target) \(headers)") {
                try encode(.GET, target, headers)
            }
        }
        let large = String(repeating: "y", count: ResponseEncoding.copiedBody + 1)
        #expect(
            try encode(.POST, "/big", [:], body: large).hasSuffix("Content-Length: \(large.utf8.count)\r\n\r\n" + large)
        )
    }
}
