import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel

extension ControlAPI {
    static var resourceRoutes: [Route] {
        let method = "restapis/{api}/resources/{resource}/methods/{verb}"
        return [
            Route("GET", "restapis/{api}/resources") { api, call in
                let embed = call.queryValues("embed").contains("methods")
                let (items, position) = try call.page(try api.control.resources(api: call.apiId))
                return .json(
                    200, Shapes.list(items.map { Shapes.resource($0, embedMethods: embed) }, position: position))
            },
            Route("GET", "restapis/{api}/resources/{resource}") { api, call in
                let resource = try api.control.resource(
                    api: call.apiId, id: call.resourceId)
                return .json(
                    200, Shapes.resource(resource, embedMethods: call.queryValues("embed").contains("methods")))
            },
            Route("POST", "restapis/{api}/resources/{resource}") { api, call in
                let pathPart = try call.json().requiredString("pathPart")
                let resource = try await api.control.createResource(
                    api: call.apiId, parentId: call.resourceId, pathPart: pathPart)
                return .json(201, Shapes.resource(resource, embedMethods: false))
            },
            Route("PATCH", "restapis/{api}/resources/{resource}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateResourceInput")
                var resource = try api.control.resource(
                    api: call.apiId, id: call.resourceId)
                // UpdateResource takes replace /pathPart and /parentId, refused in AWS's own words otherwise; every
                // operation is checked before any is applied.
                for operation in operations {
                    guard operation.op == .replace else {
                        throw ControlError.badRequest(
                            "Invalid patch path  '\(operation.path)' specified for op '\(operation.op.rawValue)'. Please choose supported operations"
                        )
                    }
                    guard ["/pathPart", "/parentId"].contains(operation.path) else {
                        throw ControlError.badRequest(
                            "Invalid patch path  '\(operation.path)' specified for op 'replace'. Must be one of: [/parentId, /pathPart]"
                        )
                    }
                    if resource.parentId == nil {
                        throw ControlError.badRequest("Root resource cannot update its \(operation.path.dropFirst()).")
                    }
                }
                for operation in operations {
                    switch operation.path {
                    case "/pathPart":
                        resource = try await api.control.updateResource(
                            api: call.apiId, id: resource.id, pathPart: try operation.string(), parentId: nil)
                    case "/parentId":
                        resource = try await api.control.updateResource(
                            api: call.apiId, id: resource.id, pathPart: nil, parentId: try operation.string())
                    default:
                        throw ControlError.badRequest(
                            "Invalid patch path  '\(operation.path)' specified for op 'replace'. Must be one of: [/parentId, /pathPart]"
                        )
                    }
                }
                return .json(200, Shapes.resource(resource, embedMethods: false))
            },
            Route("DELETE", "restapis/{api}/resources/{resource}") { api, call in
                try await api.control.deleteResource(api: call.apiId, id: call.resourceId)
                return .empty(202)
            },
            Route("PUT", method) { api, call in try await api.putMethod(call) },
            Route("GET", method) { api, call in .json(200, Shapes.method(try await api.method(call))) },
            Route("PATCH", method) { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateMethodInput")
                let updated = try await api.control.updateMethod(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb
                ) { try Patches.apply(operations, to: &$0) }
                return .json(200, Shapes.method(updated))
            },
            Route("DELETE", method) { api, call in
                try await api.control.deleteMethod(
                    api: call.apiId, resource: call.resourceId,
                    httpMethod: call.verb)
                return .empty(204)
            },
            Route("POST", method) { api, call in try await api.testInvoke(call) },
        ] + methodPartRoutes(method)
    }

    func method(_ call: ControlCall) async throws -> Method {
        try control.method(
            api: call.apiId, resource: call.resourceId, httpMethod: call.verb)
    }

    func putMethod(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        var authorization = AuthorizationType.none
        if let text = try body.string("authorizationType") {
            guard let type = AuthorizationType(rawValue: text.uppercased()) else {
                throw ControlError.validation(
                    value: text, at: "authorizationType", allowed: AuthorizationType.allCases.map(\.rawValue))
            }
            authorization = type
        }
        let created = try await control.putMethod(
            api: call.apiId, resource: call.resourceId, httpMethod: call.verb,
            authorizationType: authorization, apiKeyRequired: try body.bool("apiKeyRequired") ?? false,
            operationName: try body.string("operationName"),
            requestParameters: try body.boolMap("requestParameters") ?? [:],
            requestModels: try body.stringMap("requestModels") ?? [:], authorizerId: try body.string("authorizerId"),
            requestValidatorId: try body.string("requestValidatorId"),
            authorizationScopes: try body.strings("authorizationScopes"))
        return .json(201, Shapes.method(created))
    }

    /// `POST …/methods/{verb}`: TestInvokeMethod.
    func testInvoke(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        var headers = (try body.stringMap("headers") ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let multi = try body.object("multiValueHeaders") {
            for (name, values) in multi.values {
                guard let values = values as? [String] else {
                    throw ControlError.badRequest("multiValueHeaders.\(name) must be a list of strings")
                }
                headers.removeAll { $0.0 == name }
                headers += values.map { (name, $0) }
            }
        }
        let input = TestInvokeRequest(
            pathWithQueryString: try body.string("pathWithQueryString") ?? "", headers: headers,
            body: try body.string("body"), stageVariables: try body.stringMap("stageVariables") ?? [:])
        let result = try await control.testInvoke(
            api: call.apiId, resource: call.resourceId, httpMethod: call.verb,
            input: input)
        return .json(200, Shapes.testInvoke(result))
    }
}
