import Foundation
import GatewayControl
import GatewayModel
import NIOCore
import NIOHTTP1
import NIOPosix
import SampleBackend

@testable import GatewayEngine

/// A gateway on loopback in front of the sample pictures backend, set up as the walkthrough does: a load
/// balancer over the backend, a VPC link to it, the backend's swagger imported, every method a VPC-link proxy,
/// deployed to stage `test`.
final class Walkthrough: Sendable {
    let control: GatewayControl
    let engine: GatewayEngine
    let backend: PicturesBackend
    let api: RestApi
    let link: VpcLink
    let port: Int
    let client: TestClient

    static func start(state: String = ":memory:", deploy: Bool = true) async throws -> Walkthrough {
        let backend = try await PicturesBackend.start()
        let control = try GatewayControl(location: state)
        // Generous: on a busy machine a first health check can take long; PENDING turns FAILED only after 10 s.
        let engine = control.makeEngine(threads: 2, healthCheckMilliseconds: 50, pendingHealthChecks: 200)
        try await control.attach(engine)
        let port = try await engine.start(port: 0)
        let balancer = try await control.createLoadBalancer(
            name: "pictures-nlb", targets: [Target(host: backend.host, port: backend.port)])
        var link = try await control.createVpcLink(name: "pictures-link", targetArn: balancer.arn)
        link = try await Walkthrough.waitForLink(link.id, control: control)
        let api = try await control.importRestApi(PicturesBackend.swagger, options: .init(endpointType: .regional)).api
        try await control.integrateAllThroughVpcLink(api: api.id, link: link.id)
        if deploy { _ = try await control.createDeployment(api: api.id, stageName: "test") }
        return Walkthrough(control: control, engine: engine, backend: backend, api: api, link: link, port: port)
    }

    static func waitForLink(_ id: String, control: GatewayControl, timeout: Duration = .seconds(30)) async throws
        -> VpcLink
    {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let link = try control.vpcLink(id)
            if link.status != .pending { return link }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try control.vpcLink(id)
    }

    init(
        control: GatewayControl, engine: GatewayEngine, backend: PicturesBackend, api: RestApi, link: VpcLink, port: Int
    ) {
        self.control = control
        self.engine = engine
        self.backend = backend
        self.api = api
        self.link = link
        self.port = port
        self.client = TestClient(port: port)
    }

    /// The resource at `path`.
    func resource(_ path: String) async throws -> Resource {
        try control.resources(api: api.id).first { $0.path == path }!
    }

    /// `/restapis/{api}/{stage}/_user_request_/{path}`.
    func invokePath(_ path: String, stage: String = "test") -> String {
        "/restapis/\(api.id)/\(stage)/_user_request_\(path)"
    }

    func get(_ path: String, headers: HTTPHeaders = [:], stage: String = "test") async throws -> TestClient.Response {
        try await client.send(.GET, invokePath(path, stage: stage), headers: headers)
    }

    func redeploy() async throws { _ = try await control.createDeployment(api: api.id, stageName: "test") }

    func stop() async {
        try? await engine.stop()
        try? await backend.stop()
    }
}

/// A plain HTTP/1.1 client over one keep-alive connection per call site, for tests.
final class TestClient: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        /// The body's bytes, for binary answers.
        var bytes: [UInt8] = []

        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    let port: Int
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let pool: UpstreamPool

    init(port: Int) {
        self.port = port
        pool = UpstreamPool(group: group)
    }

    func send(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: String? = nil, host: String? = nil,
        bytes: [UInt8]? = nil
    )
        async throws -> Response
    {
        var headers = headers
        headers.replaceOrAdd(name: "Host", value: host ?? "127.0.0.1:\(port)")
        let request = UpstreamRequest(
            method: method, target: target, headers: headers,
            body: bytes.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) })
        let loop = group.next()
        let response = try await pool.execute(request, host: "127.0.0.1", port: port, on: loop, timeout: .seconds(30))
            .get()
        return Response(
            status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body),
            bytes: Array(response.body.readableBytesView))
    }

    deinit { try? group.syncShutdownGracefully() }
}
