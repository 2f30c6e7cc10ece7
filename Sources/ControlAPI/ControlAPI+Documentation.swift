import Foundation
import GatewayControl
import GatewayImport
import GatewayModel

extension ControlAPI {
    static var documentationRoutes: [Route] {
        [
            Route("POST", "restapis/{api}/documentation/parts") { api, call in
                let body = try call.json()
                guard let location = try body.object("location") else {
                    throw ControlError.badRequest("Documentation part location must not be null")
                }
                guard let properties = try body.string("properties") else {
                    throw ControlError.badRequest("Documentation part properties must not be null")
                }
                let part = try await api.control.createDocumentationPart(
                    api: call.apiId, location: try documentationLocation(location), properties: properties)
                return .json(201, Shapes.object(part))
            },
            Route("GET", "restapis/{api}/documentation/parts") { api, call in
                let parts = try documentationParts(try api.control.documentationParts(api: call.apiId), call)
                let (items, position) = try call.page(parts)
                return .json(200, Shapes.list(items.map { Shapes.object($0) }, position: position))
            },
            // ImportDocumentationParts.
            Route("PUT", "restapis/{api}/documentation/parts") { api, call in
                let modeText = call.queryValue("mode") ?? "merge"
                guard let mode = ImportMode(rawValue: modeText) else {
                    throw ControlError.badRequest(
                        "Enumeration value of OpenAPI import mode must be \"overwrite\" or \"merge\"")
                }
                let outcome = try await api.control.importDocumentationParts(
                    api: call.apiId, document: call.body, mode: mode,
                    failOnWarnings: call.queryValue("failonwarnings") == "true")
                var object: [String: Any] = ["ids": outcome.ids]
                if !outcome.warnings.isEmpty { object["warnings"] = outcome.warnings }
                return .json(200, object)
            },
            Route("GET", "restapis/{api}/documentation/parts/{id}") { api, call in
                .json(200, Shapes.object(try api.control.documentationPart(api: call.apiId, id: call[parameter: "id"])))
            },
            Route("PATCH", "restapis/{api}/documentation/parts/{id}") { api, call in
                var properties: String?
                for operation in try PatchOperation.list(try call.json(), input: "updateDocumentationPartInput") {
                    guard operation.op == .replace else {
                        throw ControlError.badRequest(
                            "Invalid patch path  '\(operation.path)' specified for op '\(operation.op.rawValue)'. Please choose supported operations"
                        )
                    }
                    guard operation.path == "/properties" else {
                        throw ControlError.badRequest(
                            "Invalid patch path  '\(operation.path)' specified for op 'replace'. Must be one of: [/properties]"
                        )
                    }
                    properties = try operation.string()
                }
                let id = call[parameter: "id"]
                guard let properties else {
                    return .json(200, Shapes.object(try api.control.documentationPart(api: call.apiId, id: id)))
                }
                let updated = try await api.control.updateDocumentationPart(
                    api: call.apiId, id: id, properties: properties)
                return .json(200, Shapes.object(updated))
            },
            Route("DELETE", "restapis/{api}/documentation/parts/{id}") { api, call in
                try await api.control.deleteDocumentationPart(api: call.apiId, id: call[parameter: "id"])
                return .empty(202)
            },
            Route("POST", "restapis/{api}/documentation/versions") { api, call in
                let body = try call.json()
                guard let version = try body.string("documentationVersion") else {
                    throw ControlError.badRequest("Documentation version must not be null")
                }
                let created = try await api.control.createDocumentationVersion(
                    api: call.apiId, version: version, description: try body.string("description"),
                    stage: try body.string("stageName"))
                return .json(201, Shapes.documentationVersion(created))
            },
            Route("GET", "restapis/{api}/documentation/versions") { api, call in
                let (items, position) = try call.page(try api.control.documentationVersions(api: call.apiId))
                return .json(200, Shapes.list(items.map(Shapes.documentationVersion), position: position))
            },
            Route("GET", "restapis/{api}/documentation/versions/{version}") { api, call in
                let found = try api.control.documentationVersion(api: call.apiId, version: call[parameter: "version"])
                return .json(200, Shapes.documentationVersion(found))
            },
            Route("PATCH", "restapis/{api}/documentation/versions/{version}") { api, call in
                let version = call[parameter: "version"]
                var description = try api.control.documentationVersion(api: call.apiId, version: version).description
                for operation in try PatchOperation.list(try call.json(), input: "updateDocumentationVersionInput") {
                    switch (operation.op, operation.path) {
                    case (.replace, "/description"), (.add, "/description"): description = operation.value
                    case (.remove, "/description"): description = nil
                    default:
                        throw ControlError.badRequest(
                            "Invalid patch path '\(operation.path)' for op '\(operation.op.rawValue)': a documentation version takes /description"
                        )
                    }
                }
                let updated = try await api.control.updateDocumentationVersion(
                    api: call.apiId, version: version, description: description)
                return .json(200, Shapes.documentationVersion(updated))
            },
            Route("DELETE", "restapis/{api}/documentation/versions/{version}") { api, call in
                try await api.control.deleteDocumentationVersion(api: call.apiId, version: call[parameter: "version"])
                return .empty(202)
            },
        ]
    }

    static func documentationLocation(_ object: JSONObject) throws -> DocumentationPartLocation {
        // AWS's answer to an unknown type lists the types in this order.
        let listed = [
            "RESPONSE_BODY", "RESPONSE", "METHOD", "MODEL", "AUTHORIZER", "RESPONSE_HEADER", "RESOURCE",
            "PATH_PARAMETER",
            "REQUEST_BODY", "QUERY_PARAMETER", "API", "REQUEST_HEADER",
        ]
        guard
            let type = try object.enumValue(
                "type", DocumentationPartType.self, member: "createDocumentationPartInput.location.type", listed: listed
            )
        else {
            throw ControlError.badRequest("Documentation part location type must not be null")
        }
        return DocumentationPartLocation(
            type: type, path: try object.string("path"), method: try object.string("method"),
            statusCode: try object.string("statusCode"), name: try object.string("name"))
    }

    /// `GetDocumentationParts` filters: `type`, `path`, `nameQuery` (a substring of the name) and
    /// `locationStatus` (`DOCUMENTED` or `UNDOCUMENTED`; every stored part documents its location).
    static func documentationParts(_ parts: [DocumentationPart], _ call: ControlCall) throws -> [DocumentationPart] {
        var result = parts
        if let text = call.queryValue("type") {
            guard let type = DocumentationPartType(rawValue: text) else {
                throw ControlError.validation(
                    value: text, at: "type", allowed: DocumentationPartType.allCases.map(\.rawValue))
            }
            result = result.filter { $0.location.type == type }
        }
        if let path = call.queryValue("path") { result = result.filter { $0.location.path == path } }
        if let query = call.queryValue("nameQuery") {
            result = result.filter { $0.location.name?.contains(query) ?? false }
        }
        if call.queryValue("locationStatus") == "UNDOCUMENTED" { result = [] }
        return result
    }
}
