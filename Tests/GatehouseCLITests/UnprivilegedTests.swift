import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Gatehouse serves any user, not only root: the tests run as root in CI, which would hide a socket option or a
/// file that needs privilege, so here the real binary runs as `nobody` (when the test itself is root).
@Suite(.serialized) struct UnprivilegedTests {
    /// `setpriv` to `nobody` when this process is root; nothing when it already is an ordinary user.
    static var asNobody: [String] {
        getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : []
    }

    @Test func serveAndTheSampleBackendWorkForAnOrdinaryUser() async throws {
        let scratch = try Scratch()
        defer { scratch.cleanup() }
        // The build may sit where only its owner can reach (a clone under a 0700 folder): the ordinary user runs
        // a copy of the binary from the scratch folder.
        let binary = scratch.directory.appendingPathComponent("gatehouse")
        try FileManager.default.copyItem(at: Binary.url, to: binary)
        #expect(chmod(binary.path, 0o755) == 0)
        if getuid() == 0 {
            #expect(chown(scratch.directory.path, 65534, 65534) == 0)
        }
        let backend = try Running(["sample-backend", "--port", "0"], through: Self.asNobody, binary: binary)
        defer { backend.stop() }
        let backendPort = try await backend.wait(for: #"pictures backend on http://127\.0\.0\.1:(\d+)"#)
        // Before the fix every accepted connection was closed at once (setsockopt → EACCES).
        let direct = try await http("http://127.0.0.1:\(backendPort)/api/pictures/all")
        #expect(direct.0 == 200)

        let server = try Running(
            ["serve", "--port", "0", "--state", scratch.state, "--quiet"], through: Self.asNobody, binary: binary)
        defer { server.stop() }
        let port = try await server.wait(for: #"Gatehouse serving on http://127\.0\.0\.1:(\d+)"#)
        let control = "http://127.0.0.1:\(port)"
        // Through the control API: an API with a proxy to the backend, deployed.
        let api = try await send("POST", "\(control)/restapis", ["name": "unprivileged"])
        let apiId = try #require(api["id"] as? String)
        let root = try #require(api["rootResourceId"] as? String)
        let resource = try await send(
            "POST", "\(control)/restapis/\(apiId)/resources/\(root)", ["pathPart": "{proxy+}"])
        let resourceId = try #require(resource["id"] as? String)
        let method = "\(control)/restapis/\(apiId)/resources/\(resourceId)/methods/ANY"
        _ = try await send("PUT", method, ["authorizationType": "NONE"])
        _ = try await send(
            "PUT", method + "/integration",
            ["type": "HTTP_PROXY", "httpMethod": "ANY", "uri": "http://127.0.0.1:\(backendPort)/{proxy}"])
        _ = try await send("POST", "\(control)/restapis/\(apiId)/deployments", ["stageName": "test"])
        // Served to a client, through an upstream connection the unprivileged process opened.
        let served = try await http("\(control)/restapis/\(apiId)/test/_user_request_/api/pictures/all")
        #expect(served.0 == 200, "\(served.1)")
        #expect(served.1.contains("sunrise.jpg"))

        // A Lambda function run by the ordinary user: its handler process, its Runtime API port, its runtime
        // client's folder (per user) and its log beside the state.
        let code = scratch.directory.appendingPathComponent("code")
        try FileManager.default.createDirectory(at: code, withIntermediateDirectories: true)
        try Data(
            "import os\ndef handler(event, context):\n    return {'statusCode': 200, 'body': 'uid %d' % os.getuid()}\n"
                .utf8
        ).write(to: code.appendingPathComponent("app.py"))
        if getuid() == 0 {
            #expect(chown(code.path, 65534, 65534) == 0)
            #expect(chown(code.appendingPathComponent("app.py").path, 65534, 65534) == 0)
        }
        let add = try Running(
            [
                "function", "add", "hello", "--runtime", "python3", "--handler", "app.handler", "--code", code.path,
                "--state", scratch.state,
            ], through: Self.asNobody, binary: binary)
        defer { add.stop() }
        _ = try await add.wait(for: #"Registered function (hello)"#)
        let lambda = try await send(
            "POST", "\(control)/restapis/\(apiId)/resources/\(root)", ["pathPart": "hello"])
        let lambdaMethod = "\(control)/restapis/\(apiId)/resources/\(try #require(lambda["id"] as? String))/methods/GET"
        _ = try await send("PUT", lambdaMethod, ["authorizationType": "NONE"])
        _ = try await send(
            "PUT", lambdaMethod + "/integration",
            [
                "type": "AWS_PROXY", "httpMethod": "POST",
                "uri":
                    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:hello/invocations",
            ])
        _ = try await send("POST", "\(control)/restapis/\(apiId)/deployments", ["stageName": "test"])
        // The serving process sees the function the other process registered within a second or so.
        var answer = (0, "")
        for _ in 0..<40 {
            answer = try await http("\(control)/restapis/\(apiId)/test/_user_request_/hello")
            if answer.0 == 200 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(answer.0 == 200, "\(answer.1)")
        #expect(answer.1 == "uid \(getuid() == 0 ? 65534 : getuid())")

        // The state the ordinary user created is theirs alone: it holds API key values.
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.state)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        if getuid() == 0 { #expect((attributes[.ownerAccountID] as? Int) == 65534) }
    }

    /// A control API call with a JSON body; the answer's JSON object.
    func send(_ method: String, _ url: String, _ body: [String: Any]) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        #expect((200..<300).contains(status), "\(method) \(url): \(status) \(String(decoding: data, as: UTF8.self))")
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}
