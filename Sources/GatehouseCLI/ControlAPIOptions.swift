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
        help:
            "The access key id signatures are checked against, on the control API and AWS_IAM methods (default: $AWS_ACCESS_KEY_ID, else test)."
    )
    var accessKeyId: String?

    @Option(
        name: .customLong("secret-access-key"),
        help: "The secret signatures are checked against (default: $AWS_SECRET_ACCESS_KEY, else test).")
    var secretAccessKey: String?

    @Option(
        name: .customLong("allow-host"),
        help:
            "A host name the control API answers to besides loopback addresses and localhost (repeatable); requests naming another Host are refused."
    )
    var allowedHosts: [String] = []

    @Option(
        name: .customLong("allow-origin"),
        help:
            "A browser origin allowed to call the control API (repeatable); requests from other web pages are refused."
    )
    var allowedOrigins: [String] = []

    /// Whether `address` is a loopback address (what `--bind` gets by default).
    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address == "localhost" || ControlAPI.isLocal(host: address)
    }

    /// The access key signatures are checked against.
    var credentials: SigV4.Credentials {
        let environment = SigV4.Credentials.fromEnvironment()
        return SigV4.Credentials(
            accessKeyId: accessKeyId ?? environment.accessKeyId,
            secretAccessKey: secretAccessKey ?? environment.secretAccessKey)
    }

    func api(_ control: GatewayControl, bind: String? = nil) -> ControlAPI {
        ControlAPI(
            control: control,
            options: .init(
                allowReset: allowReset, requireSignature: requireSignature, credentials: credentials,
                allowedHosts: Set(allowedHosts + [bind].compactMap { $0 }.filter { !["0.0.0.0", "::"].contains($0) }),
                allowedOrigins: Set(allowedOrigins)))
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
