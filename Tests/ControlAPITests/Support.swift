import ControlAPI
import Foundation
import GatewayControl
import GatewayEngine
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import TestSupport
import Testing

/// A control API over an in-memory state, called in-process the way the engine's listener calls it.
struct Client {
    let control: GatewayControl
    let api: ControlAPI

    init(options: ControlAPI.Options = .init()) throws {
        control = try GatewayControl(location: freshState())
        api = ControlAPI(control: control, options: options)
    }

    init(control: GatewayControl, api: ControlAPI) {
        self.control = control
        self.api = api
    }

    /// A new REST API: its id and root resource id.
    func createApi(_ name: String) async throws -> (id: String, root: String) {
        let created = try await call("POST", "/restapis", ["name": name])
        return (try #require(created.string("id")), try #require(created.string("rootResourceId")))
    }

    /// Puts `verb` on a resource with `settings` and a MOCK integration answering 200 (responses included).
    func mockMethod(api: String, resource: String, verb: String = "GET", _ settings: [String: Any]) async throws {
        let method = "/restapis/\(api)/resources/\(resource)/methods/\(verb)"
        let put = try await call("PUT", method, settings)
        #expect(put.status == 201, "\(put.text)")
        try await call(
            "PUT", method + "/integration",
            ["type": "MOCK", "requestTemplates": ["application/json": "{\"statusCode\": 200}"]])
        try await call("PUT", method + "/responses/200", [String: Any]())
        try await call("PUT", method + "/integration/responses/200", [String: Any]())
    }

    /// A client over a state that an engine serves on a free loopback port (control API on it too).
    static func served() async throws -> (Client, GatewayEngine, Int) {
        let control = try GatewayControl(location: freshState())
        let engine = control.makeEngine(
            threads: 1, signingCredentials: [.init(accessKeyId: "test", secretAccessKey: "test")])
        try await control.attach(engine)
        let api = ControlAPI(control: control)
        engine.serveControl(api.responder)
        let port = try await engine.start(port: 0)
        return (Client(control: control, api: api), engine, port)
    }

    /// One call; `body` is a JSON object, or raw `Data`.
    @discardableResult
    func call(
        _ method: String, _ path: String, _ body: Any? = nil, headers: [String: String] = [:]
    ) async throws -> Answer {
        let parts = path.split(separator: "?", maxSplits: 1)
        var buffer: ByteBuffer?
        switch body {
        case let data as Data: buffer = ByteBuffer(data: data)
        case let object?: buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
        case nil: buffer = nil
        }
        let request = InvokeRequest(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil,
            headers: HTTPHeaders(headers.map { ($0.key, $0.value) }), body: buffer)
        let response = try #require(await api.respond(request), "no answer for \(method) \(path)")
        return Answer(response)
    }
}

/// A control API answer: status, error type, JSON body.
struct Answer {
    let status: Int
    let errorType: String?
    let text: String
    let headers: HTTPHeaders

    init(_ response: InvokeResponse) {
        status = response.status
        errorType = response.headers.first(name: "x-amzn-ErrorType")
        text = response.bodyText
        headers = response.headers
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var message: String? { json["message"] as? String }
    var items: [[String: Any]] { json["item"] as? [[String: Any]] ?? [] }
    subscript(_ key: String) -> Any? { json[key] }
    func string(_ key: String) -> String? { json[key] as? String }
}

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openapi")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }
}

/// `{"patchOperations": [...]}` from `(op, path, value)` triples.
func patch(_ operations: (String, String, String?)...) -> [String: Any] {
    [
        "patchOperations": operations.map { op, path, value -> [String: Any] in
            var entry: [String: Any] = ["op": op, "path": path]
            if let value { entry["value"] = value }
            return entry
        }
    ]
}

/// An in-memory state, or a new PostgreSQL database when the suite runs on PostgreSQL
/// (`GATEHOUSE_TEST_STATE=postgres`, as `Tests/Scripts/test` runs it a second time).
func freshState() throws -> String {
    PostgresTestDatabase.controlTestsOnPostgres ? try PostgresTestDatabase.make().url : ":memory:"
}
