import ArgumentParser
import Foundation
import GatewayControl
import GatewayModel

struct ApisCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apis", abstract: "List the REST APIs.")

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            var rows: [(RestApi, [Resource])] = []
            for api in try control.restApis() { rows.append((api, try control.resources(api: api.id))) }
            if options.json {
                print(Render.json(rows.map { api, resources in Render.apiSummary(api, resources: resources) }))
                return
            }
            if rows.isEmpty {
                print("No APIs. Import one: gatehouse import FILE")
                return
            }
            let table = rows.map { api, resources in
                [
                    api.id, api.name, api.endpointType.rawValue, String(resources.count),
                    String(resources.reduce(0) { $0 + $1.resourceMethods.count }), Render.date(api.createdDate),
                ]
            }
            print(Render.table(["ID", "NAME", "ENDPOINT", "RESOURCES", "METHODS", "CREATED"], table))
        }
    }
}

struct ResourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resources", abstract: "List an API's resources and methods (* = API key required).")

    @Argument(help: "The API (id or name).")
    var api: String

    @OptionGroup var options: StateOptions

    func run() async throws {
        try await runReporting {
            let control = try options.control()
            let target = try await control.findApi(api)
            let resources = try control.resources(api: target.id)
            if options.json {
                print(Render.json(resources))
                return
            }
            let rows = resources.map { resource in
                [
                    resource.id, resource.path,
                    resource.sortedMethods.map { $0.httpMethod + ($0.apiKeyRequired ? "*" : "") }.joined(
                        separator: " "),
                    resource.sortedMethods.map(Render.integrationSummary).joined(separator: "; "),
                ]
            }
            print(Render.table(["ID", "PATH", "METHODS", "INTEGRATIONS"], rows))
        }
    }
}
