import Foundation
import GatewayControl
import GatewayImport
import GatewayModel

extension ControlAPI {
    static var restApiRoutes: [Route] {
        [
            Route("POST", "restapis") { api, call in
                if call.queryValue("mode") == "import" { return try await api.importRestApi(call) }
                return try await api.createRestApi(call)
            },
            Route("GET", "restapis") { api, call in
                let (items, position) = try call.page(try api.control.restApis())
                return .json(200, Shapes.list(items.map { Shapes.restApi($0, listed: true) }, position: position))
            },
            Route("GET", "restapis/{api}") { api, call in
                .json(200, Shapes.restApi(try api.control.restApi(call.apiId)))
            },
            Route("PUT", "restapis/{api}") { api, call in try await api.putRestApi(call) },
            Route("PATCH", "restapis/{api}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateRestApiInput")
                let updated = try await api.control.updateRestApi(call.apiId) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.restApi(updated))
            },
            Route("DELETE", "restapis/{api}") { api, call in
                try await api.control.deleteRestApi(call.apiId)
                return .empty(202)
            },
            Route("GET", "restapis/{api}/stages/{stage}/exports/{type}") { api, call in try await api.export(call) },
        ] + modelRoutes
    }

    /// The tag that chooses a new API's id (as LocalStack and moto take it), for test suites that want fixed ids.
    public static let customIdTag = "_custom_id_"

    func createRestApi(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        let name = try body.string("name") ?? ""
        guard !name.isEmpty else { throw ControlError.badRequest("Invalid REST API name specified") }
        // AWS's order: the members' constraints (all reported at once), then the description, the compression
        // size and the endpoint configuration, each in AWS's words.
        var endpointType = EndpointType.edge
        var ipAddressType: IpAddressType?
        var types: [String]?
        if let configuration = try body.object("endpointConfiguration") {
            var problems: [String] = []
            types = try configuration.strings("types")
            if let types, types.contains(where: { EndpointType(rawValue: $0) == nil }) {
                problems.append(
                    "Value '[\(types.joined(separator: ", "))]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]"
                )
            }
            if let text = try configuration.string("ipAddressType") {
                ipAddressType = IpAddressType(rawValue: text)
                if ipAddressType == nil {
                    problems.append(
                        "Value '\(text)' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"
                    )
                }
            }
            if !problems.isEmpty { throw ControlError.validation(problems) }
        }
        let policy = try body.string("policy")
        let compression = try body.int("minimumCompressionSize")
        let disable = try body.bool("disableExecuteApiEndpoint")
        if let description = try body.string("description"), description.isEmpty {
            throw ControlError.badRequest("Description cannot be an empty string")
        }
        if let compression, !(0...10_485_760).contains(compression) {
            throw ControlError.badRequest(RestApi.compressionSizeMessage)
        }
        if let types {
            guard !types.isEmpty else {
                throw ControlError.badRequest("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")
            }
            guard types.count == 1 else {
                throw ControlError.badRequest("Cannot create an api with multiple Endpoint Types.")
            }
            endpointType = EndpointType(rawValue: types[0])!
        }
        if endpointType == .private {
            guard ipAddressType != .ipv4 else {
                throw ControlError.badRequest("Only dualstack ipAddressType is supported for Private APIs.")
            }
            ipAddressType = .dualstack
        }
        var created = try await control.createRestApi(
            name: name, description: try body.string("description"), endpointType: endpointType,
            apiKeySource: try body.enumValue("apiKeySource", ApiKeySource.self) ?? .header,
            binaryMediaTypes: try body.strings("binaryMediaTypes") ?? [], version: try body.string("version"),
            tags: try body.stringMap("tags") ?? [:], id: try body.stringMap("tags")?[ControlAPI.customIdTag])

        if policy != nil || compression != nil || disable != nil || ipAddressType != nil {
            let ipAddressType = ipAddressType
            created = try await control.updateRestApi(created.id) { api in
                api.policy = policy
                api.minimumCompressionSize = compression
                api.disableExecuteApiEndpoint = disable ?? false
                api.endpointConfiguration.ipAddressType = ipAddressType
            }
        }
        return .json(201, Shapes.restApi(created, created: true))
    }

    /// `POST /restapis?mode=import` with the document as the body; options as query parameters.
    func importRestApi(_ call: ControlCall) async throws -> Reply {
        let outcome = try await control.importRestApi(call.body, options: try importOptions(call))
        var object = Shapes.restApi(outcome.api, created: true)
        if !outcome.warnings.isEmpty { object["warnings"] = outcome.warnings.map(\.description) }
        return .json(201, object)
    }

    /// `PUT /restapis/{id}?mode=merge|overwrite`.
    func putRestApi(_ call: ControlCall) async throws -> Reply {
        let modeText = call.queryValue("mode") ?? "merge"
        guard let mode = ImportMode(rawValue: modeText) else {
            throw ControlError.badRequest("Enumeration value of OpenAPI import mode must be \"overwrite\" or \"merge\"")
        }
        let outcome = try await control.putRestApi(
            call.apiId, document: call.body, mode: mode, options: try importOptions(call))
        var object = Shapes.restApi(outcome.api)
        if !outcome.warnings.isEmpty { object["warnings"] = outcome.warnings.map(\.description) }
        return .json(200, object)
    }

    func importOptions(_ call: ControlCall) throws -> ImportOptions {
        var options = ImportOptions()
        options.failOnWarnings = call.queryValue("failonwarnings") == "true"
        if let text = call.queryValue("basepath") ?? call.queryValue("basePath") {
            guard let mode = BasePathMode(rawValue: text) else {
                throw ControlError.badRequest("Invalid basepath '\(text)': must be ignore, prepend or split")
            }
            options.basePath = mode
        }
        if let text = call.queryValue("endpointConfigurationTypes") {
            guard let type = EndpointType(rawValue: text) else {
                throw ControlError.badRequest(
                    "Invalid endpointConfigurationTypes '\(text)': must be EDGE, REGIONAL or PRIVATE")
            }
            options.endpointType = type
        }
        options.ignoreDocumentation = call.queryValue("ignore") == "documentation"
        return options
    }

    /// `GET /restapis/{id}/stages/{stage}/exports/{swagger|oas30}`, JSON or YAML by `Accept`.
    func export(_ call: ControlCall) async throws -> Reply {
        let accept = call.header("Accept") ?? "application/json"
        let yaml = accept.contains("yaml")
        // `extensions` names what to add: `documentation`, and anything else adds the integrations.
        let named = (call.queryValue("extensions") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let extensions = named.contains { !$0.isEmpty && $0 != "documentation" }
        let documentation = named.contains("documentation")
        let stage = call[parameter: "stage"]
        _ = try control.stage(api: call.apiId, name: stage)
        let typeText = call[parameter: "type"]
        guard let format = ExportFormat(rawValue: typeText) else {
            throw ControlError.badRequest("No API exporter for type '\(typeText)'")
        }
        let (text, version) = try await control.exported(
            call.apiId, stage: stage, format: format, yaml: yaml, extensions: extensions, documentation: documentation)
        // As AWS answers: JSON as application/octet-stream, the file named after the format and the version.
        let contentType = yaml ? "application/yaml" : "application/octet-stream"
        let file = "\(format.rawValue)_\(version).\(yaml ? "yaml" : "json")"
        return Reply(
            status: 200, body: Data(text.utf8),
            headers: [("Content-Type", contentType), ("Content-Disposition", "attachment; filename=\"\(file)\"")])
    }
}
