import ArgumentParser
import ControlAPI
import Foundation
import GatewayControl
import GatewayEngine

/// The control API's options, shared by `serve` and the console.
struct ControlAPIOptions: ParsableArguments {
    @Option(
        name: .customLong("control-port"),
        help: "Serve API Gateway's control API on this port instead of the invoke port.")
    var controlPort: Int?

    @Flag(name: .customLong("no-control-api"), help: "Do not serve the control API at all.")
    var noControlApi = false

    @Flag(
        name: .customLong("allow-reset"),
        help: "Let POST /moto-api/reset wipe the whole state (for test suites that expect it).")
    var allowReset = false

    @Flag(
        name: .customLong("require-signature"),
        help:
            "Refuse control API requests without a valid SigV4 signature (made with --access-key-id/--secret-access-key)."
    )
    var requireSignature = false

    @Option(
        name: .customLong("access-key-id"),
        help: "The access key id signatures are checked against (default: $AWS_ACCESS_KEY_ID, else test).")
    var accessKeyId: String?

    @Option(
        name: .customLong("secret-access-key"),
        help: "The secret signatures are checked against (default: $AWS_SECRET_ACCESS_KEY, else test).")
    var secretAccessKey: String?

    func api(_ control: GatewayControl) -> ControlAPI {
        let environment = ProcessInfo.processInfo.environment
        return ControlAPI(
            control: control,
            options: .init(
                allowReset: allowReset, requireSignature: requireSignature,
                credentials: .init(
                    accessKeyId: accessKeyId ?? environment["AWS_ACCESS_KEY_ID"] ?? "test",
                    secretAccessKey: secretAccessKey ?? environment["AWS_SECRET_ACCESS_KEY"] ?? "test")))
    }

    /// Opens the control port when one is asked for; returns the line that tells where the control API is.
    func start(on engine: GatewayEngine, host: String, invokePort: Int) async throws -> String? {
        guard !noControlApi else { return nil }
        var port = invokePort
        if let controlPort {
            do {
                port = try await engine.start(host: host, port: controlPort, invoke: false)
            } catch {
                throw CLIError(message: "Cannot serve the control API on \(host):\(controlPort): \(error)")
            }
        }
        let shown = host.contains(":") ? "[\(host)]" : host
        return "Control API: aws apigateway --endpoint-url http://\(shown):\(port) …"
    }
}
