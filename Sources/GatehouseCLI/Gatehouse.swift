import ArgumentParser
import Foundation
import GatewayControl
import GatewayModel
import GatewayStore

/// The `gatehouse` command: Amazon API Gateway on your own machine.
public struct Gatehouse: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "Amazon API Gateway on your own machine.",
        discussion: """
            Import an OpenAPI or Swagger definition, inspect its resources and export it back with the \
            x-amazon-apigateway extensions. State lives in one SQLite file (--state), by default \
            $XDG_STATE_HOME/gatehouse/gatehouse.sqlite, or in a PostgreSQL database that several serving nodes \
            share (--state postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE).
            """,
        subcommands: [
            ConsoleCommand.self, ImportCommand.self, ApisCommand.self, ResourcesCommand.self, ExportCommand.self,
            ServeCommand.self,
            SampleBackendCommand.self, LoadBalancerCommand.self, VpcLinkCommand.self, MethodCommand.self,
            IntegrationCommand.self, TestInvokeCommand.self, DeployCommand.self, StageCommand.self, ApiKeyCommand.self,
            UsagePlanCommand.self, FunctionCommand.self, UserPoolCommand.self, ConsoleBenchmarkCommand.self,
            TemplateBenchmarkCommand.self, ClusterCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self)

    public init() {}
}

/// Options every verb takes.
struct StateOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "The state file, :memory: for none, or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: $XDG_STATE_HOME/gatehouse/gatehouse.sqlite)."
    )
    var state: String?

    @Flag(name: .long, help: "Print JSON for scripts instead of tables.")
    var json = false

    func control() throws -> GatewayControl {
        try GatewayControl(location: state ?? GatewayStore.defaultLocation())
    }
}

/// Runs a verb's body and turns Gatehouse's errors into one line on stderr and exit code 1.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as GatewayError {
        throw CLIError(message: error.description)
    } catch let error as StoreError {
        throw CLIError(message: error.message)
    }
}

/// An error shown to the user as it is.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension GatewayControl {
    /// Finds an API by id, or by name when exactly one API has that name.
    func findApi(_ idOrName: String) throws -> RestApi {
        if let api = try? restApi(idOrName) { return api }
        let named = try restApis().filter { $0.name == idOrName }
        switch named.count {
        case 1: return named[0]
        case 0: throw GatewayError.notFound("Invalid API identifier specified \(Region.accountId):\(idOrName)")
        default:
            throw GatewayError.badRequest(
                "\(named.count) APIs are named \(idOrName) (\(named.map(\.id).joined(separator: ", "))); give the id")
        }
    }
}

extension Gatehouse {
    /// Parses `arguments`, runs the verb they name and exits with its status.
    public static func run(arguments: [String]) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit()
        } catch {
            exit(withError: error)
        }
    }
}
