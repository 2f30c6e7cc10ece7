import ArgumentParser
import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel

/// Names a method: API (id or name), resource path, HTTP method.
struct MethodAddress: ParsableArguments {
    @Argument(help: "The API (id or name).")
    var api: String

    @Argument(help: "The resource path, e.g. /api/pictures/all.")
    var path: String

    @Argument(help: "The HTTP method (GET, POST, … ANY).")
    var method: String

    func resolve(_ control: GatewayControl) async throws -> (RestApi, Resource) {
        let api = try await control.findApi(self.api)
        guard let resource = try control.resources(api: api.id).first(where: { $0.path == path }) else {
            throw CLIError(message: "API \(api.id) has no resource \(path) (see: gatehouse resources \(api.id))")
        }
        return (api, resource)
    }
}

extension IntegrationType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

struct MethodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "method", abstract: "Change a method's request settings (the Method Request box).")

    @OptionGroup var address: MethodAddress

    @Option(name: .customLong("api-key-required"), help: "true or false.")
    var apiKeyRequired: Bool?

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let (api, resource) = try await address.resolve(control)
            let method = try await control.updateMethod(api: api.id, resource: resource.id, httpMethod: address.method)
            { method in
                if let apiKeyRequired { method.apiKeyRequired = apiKeyRequired }
            }
            print(
                options.json
                    ? Render.json(method)
                    : "\(method.httpMethod) \(resource.path): API key \(method.apiKeyRequired ? "required" : "not required") (redeploy to serve the change)"
            )
        }
    }
}

struct IntegrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integration", abstract: "Set a method's integration (the Integration Request box).")

    @OptionGroup var address: MethodAddress

    @Option(help: "http_proxy, http or mock.")
    var type: IntegrationType = .httpProxy

    @Option(help: "The endpoint URL (with a VPC link: gives the Host header and path).")
    var uri: String?

    @Option(
        name: .customLong("http-method"),
        help: "The method sent to the backend (default: the method's own; ANY passes the client's).")
    var httpMethod: String?

    @Option(name: .customLong("vpc-link"), help: "Go through this VPC link (id, or ${stageVariables.NAME}).")
    var vpcLink: String?

    @Option(name: .customLong("timeout"), help: "Timeout in milliseconds, 50 to 29000.")
    var timeout: Int = Integration.defaultTimeout

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let (api, resource) = try await address.resolve(control)
            var integration = Integration(
                type: type, httpMethod: type == .mock ? nil : (httpMethod ?? address.method).uppercased(), uri: uri,
                timeoutInMillis: timeout)
            if let vpcLink {
                integration.connectionType = .vpcLink
                integration.connectionId = vpcLink
            }
            if type == .mock {
                integration.requestTemplates = ["application/json": "{\"statusCode\": 200}"]
                integration.integrationResponses = ["200": IntegrationResponse(statusCode: "200")]
            }
            let stored = try await control.putIntegration(
                api: api.id, resource: resource.id, httpMethod: address.method, integration: integration)
            print(
                options.json
                    ? Render.json(stored)
                    : "\(address.method.uppercased()) \(resource.path): \(Render.integrationSummary(try control.method(api: api.id, resource: resource.id, httpMethod: address.method)))"
            )
        }
    }
}

struct TestInvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-invoke",
        abstract:
            "Run a method as the console's Test does: no deployment, key, throttle or cache; prints the execution log.")

    @OptionGroup var address: MethodAddress

    @Option(
        name: .customLong("path-with-query"),
        help: "The request path and query, e.g. /api/pictures/2?size=small (default: the resource path).")
    var pathWithQuery: String?

    @Option(name: .customLong("header"), help: "A header, NAME:VALUE. Repeat for more.")
    var headers: [String] = []

    @Option(help: "The request body.")
    var body: String?

    @Option(name: .customLong("stage-variable"), help: "A stage variable, NAME=VALUE. Repeat for more.")
    var stageVariables: [String] = []

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let engine = control.makeEngine(threads: 1)
            try await control.attach(engine)
            defer { Task { try? await engine.stop() } }
            let (api, resource) = try await address.resolve(control)
            let headerPairs = try headers.map { text -> (String, String) in
                guard let pair = NameValue.split(text, on: ":") else {
                    throw CLIError(message: "A header is NAME:VALUE, not \(text)")
                }
                return pair
            }
            var variables: [String: String] = [:]
            for text in stageVariables {
                guard let pair = NameValue.split(text, on: "=") else {
                    throw CLIError(message: "A stage variable is NAME=VALUE, not \(text)")
                }
                variables[pair.name] = pair.value
            }
            let result = try await control.testInvoke(
                api: api.id, resource: resource.id, httpMethod: address.method,
                input: TestInvokeRequest(
                    pathWithQueryString: pathWithQuery ?? resource.path, headers: headerPairs, body: body,
                    stageVariables: variables))
            if options.json {
                struct Output: Encodable {
                    var status: Int
                    var latency: Int
                    var headers: [String: String]
                    var body: String
                    var log: String
                }
                print(
                    Render.json(
                        Output(
                            status: result.status, latency: result.latencyMillis, headers: result.headers,
                            body: result.body, log: result.log)))
                return
            }
            print(
                "Status: \(result.status)\nLatency: \(result.latencyMillis) ms\n\nResponse body:\n\(Render.prettyJSON(result.body))\n\nResponse headers:"
            )
            for (name, value) in result.headers.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
            print("\nLogs:\n\(result.log)", terminator: "")
        }
    }
}
