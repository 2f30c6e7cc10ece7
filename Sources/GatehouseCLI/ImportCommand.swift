import ArgumentParser
import Foundation
import GatewayControl
import GatewayImport
import GatewayModel

extension EndpointType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
extension BasePathMode: ExpressibleByArgument {}
extension ImportMode: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "swagger", "swagger2", "swagger2.0", "oas2": self = .swagger2
        case "oas30", "oas3", "openapi", "openapi3": self = .oas30
        default: return nil
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an OpenAPI 3.0/3.1 or Swagger 2.0 file (JSON or YAML) as a new API, or into an existing one.")

    @Argument(help: "The definition file ('-' reads standard input).")
    var file: String

    @Option(help: "Import into this existing API (id or name) instead of creating one.")
    var api: String?

    @Option(
        help: "With --api: merge (keep what the file does not name) or overwrite (make the API what the file says).")
    var mode: ImportMode = .merge

    @Option(
        name: .customLong("endpoint-type"),
        help: "Endpoint type of a new API: REGIONAL, EDGE or PRIVATE (default: the file's, else EDGE).")
    var endpointType: EndpointType?

    @Option(help: "The document's base path: ignore, prepend or split.")
    var basepath: BasePathMode = .ignore

    @Flag(name: .customLong("fail-on-warnings"), help: "Refuse the whole import if there is any warning.")
    var failOnWarnings = false

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard FileManager.default.fileExists(atPath: file) else {
                    throw CLIError(message: "No such file: \(file)")
                }
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw CLIError(message: "Cannot read \(file)")
                }
                data = contents
            }
            if api != nil && endpointType != nil {
                throw CLIError(
                    message:
                        "--endpoint-type applies to a new API; an import into an existing API never changes its endpoint"
                )
            }
            let control = try options.control()
            let importOptions = ImportOptions(
                basePath: basepath, endpointType: endpointType, failOnWarnings: failOnWarnings)
            let outcome: ImportOutcome
            if let api {
                let target = try await control.findApi(api)
                outcome = try await control.putRestApi(target.id, document: data, mode: mode, options: importOptions)
            } else {
                outcome = try await control.importRestApi(data, options: importOptions)
            }
            print(options.json ? Render.json(outcome) : Render.text(outcome))
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an API as OpenAPI 3.0 or Swagger 2.0 with the x-amazon-apigateway extensions.")

    @Argument(help: "The API (id or name).")
    var api: String

    @Option(help: "oas30 or swagger2.")
    var format: ExportFormat = .oas30

    @Flag(help: "Write YAML instead of JSON.")
    var yaml = false

    @Option(help: "Export what this stage serves (its deployment) instead of the working copy.")
    var stage: String?

    @Flag(name: .customLong("no-extensions"), help: "Leave out the x-amazon-apigateway-* extensions.")
    var noExtensions = false

    @Option(name: [.short, .long], help: "Write to this file instead of standard output.")
    var output: String?

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let target = try await control.findApi(api)
            let text = try await control.export(
                target.id, stage: stage, format: format, yaml: yaml, extensions: !noExtensions)
            if let output {
                do {
                    try text.write(toFile: output, atomically: true, encoding: .utf8)
                } catch {
                    throw CLIError(message: "Cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
        }
    }
}
