import Foundation
import GatewayControl
import GatewayModel
import SampleBackend

/// The sample workspace of the walkthrough: the private pictures backend, started in this process on a
/// loopback port (5075 when free), the private load balancer in front of it, and its swagger.json on disk,
/// ready to import.
@MainActor
public final class SampleWorkspace {
    static let balancerName = "pictures-nlb"
    /// The port of the walkthrough's local service.
    public nonisolated static let preferredPort = 5075

    let backend: PicturesBackend
    let swaggerPath: String

    private init(backend: PicturesBackend, swaggerPath: String) {
        self.backend = backend
        self.swaggerPath = swaggerPath
    }

    /// Starts the backend and makes sure the load balancer points at it.
    static func start(control: GatewayControl, directory: URL, port: Int) async throws -> SampleWorkspace {
        let backend: PicturesBackend
        if port != 0, let preferred = try? await PicturesBackend.start(port: port) {
            backend = preferred
        } else {
            backend = try await PicturesBackend.start(port: 0)
        }
        let target = Target(host: backend.host, port: backend.port)
        if (try? control.loadBalancer(balancerName)) != nil {
            _ = try await control.updateLoadBalancer(balancerName, targets: [target])
        } else {
            _ = try await control.createLoadBalancer(name: balancerName, targets: [target])
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("swagger.json")
        try PicturesBackend.swagger.write(to: file)
        return SampleWorkspace(backend: backend, swaggerPath: file.path)
    }

    func stop() async { try? await backend.stop() }
}
