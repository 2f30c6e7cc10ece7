import Foundation
import GatewayControl
import GatewayModel

extension ControlAPI {
    static var domainRoutes: [Route] {
        [
            Route("POST", "domainnames") { api, call in
                let body = try call.json()
                var endpointType = EndpointType.edge
                if let configuration = try body.object("endpointConfiguration"),
                    let types = try configuration.strings("types"), let first = types.first
                {
                    guard types.count == 1, let type = EndpointType(rawValue: first) else {
                        throw ControlError.validation(
                            value: types.joined(separator: ","), at: "endpointConfiguration.types",
                            allowed: EndpointType.allCases.map(\.rawValue))
                    }
                    endpointType = type
                }
                let domain = DomainName(
                    domainName: try body.string("domainName") ?? "",
                    certificateName: try body.string("certificateName"),
                    certificateArn: try body.string("certificateArn"),
                    regionalCertificateName: try body.string("regionalCertificateName"),
                    regionalCertificateArn: try body.string("regionalCertificateArn"), endpointType: endpointType,
                    securityPolicy: try body.string("securityPolicy") ?? "TLS_1_2",
                    tags: try body.stringMap("tags") ?? [:], region: call.region)
                return .json(201, Shapes.domainName(try await api.control.createDomainName(domain)))
            },
            Route("GET", "domainnames") { api, call in
                let (items, position) = try call.page(try api.control.domainNames())
                return .json(200, Shapes.list(items.map(Shapes.domainName), position: position))
            },
            Route("GET", "domainnames/{domain}") { api, call in
                .json(200, Shapes.domainName(try api.control.domainName(call[parameter: "domain"])))
            },
            Route("PATCH", "domainnames/{domain}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateDomainNameInput")
                let domain = try await api.control.updateDomainName(call[parameter: "domain"]) { domain in
                    for operation in operations {
                        switch (operation.op, operation.path) {
                        case (.replace, "/certificateName"): domain.certificateName = operation.value
                        case (.replace, "/certificateArn"): domain.certificateArn = operation.value
                        case (.replace, "/regionalCertificateName"): domain.regionalCertificateName = operation.value
                        case (.replace, "/regionalCertificateArn"): domain.regionalCertificateArn = operation.value
                        case (.replace, "/securityPolicy"): domain.securityPolicy = try operation.string()
                        default:
                            throw operation.unsupported([
                                "/certificateName", "/certificateArn", "/regionalCertificateName",
                                "/regionalCertificateArn", "/securityPolicy",
                            ])
                        }
                    }
                }
                return .json(200, Shapes.domainName(domain))
            },
            Route("DELETE", "domainnames/{domain}") { api, call in
                try await api.control.deleteDomainName(call[parameter: "domain"])
                return .empty(202)
            },
            Route("POST", "domainnames/{domain}/basepathmappings") { api, call in
                let body = try call.json()
                let mapping = BasePathMapping(
                    basePath: try body.string("basePath").flatMap { $0.isEmpty ? nil : $0 } ?? BasePathMapping.none,
                    restApiId: try body.string("restApiId") ?? "",
                    stage: try body.string("stage").flatMap { $0.isEmpty ? nil : $0 })
                let created = try await api.control.createBasePathMapping(
                    domain: call[parameter: "domain"], mapping: mapping)
                return .json(201, Shapes.object(created))
            },
            Route("GET", "domainnames/{domain}/basepathmappings") { api, call in
                let domain = try api.control.domainName(call[parameter: "domain"])
                let (items, position) = try call.page(domain.basePathMappings)
                return .json(200, Shapes.list(items.map(Shapes.object), position: position))
            },
            Route("GET", "domainnames/{domain}/basepathmappings/{path}") { api, call in
                .json(200, Shapes.object(try await api.basePathMapping(call)))
            },
            Route("PATCH", "domainnames/{domain}/basepathmappings/{path}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateBasePathMappingInput")
                var mapping = try await api.basePathMapping(call)
                for operation in operations {
                    switch (operation.op, operation.path.lowercased()) {
                    case (.replace, "/basepath"): mapping.basePath = try operation.string()
                    case (.replace, "/restapiid"): mapping.restApiId = try operation.string()
                    case (.replace, "/stage"): mapping.stage = operation.value.flatMap { $0.isEmpty ? nil : $0 }
                    default: throw operation.unsupported(["/basePath", "/restapiId", "/stage"])
                    }
                }
                let updated = try await api.control.updateBasePathMapping(
                    domain: call[parameter: "domain"], basePath: call[parameter: "path"], to: mapping)
                return .json(200, Shapes.object(updated))
            },
            Route("DELETE", "domainnames/{domain}/basepathmappings/{path}") { api, call in
                try await api.control.deleteBasePathMapping(
                    domain: call[parameter: "domain"], basePath: call[parameter: "path"])
                return .empty(202)
            },
        ]
    }

    func basePathMapping(_ call: ControlCall) async throws -> BasePathMapping {
        let domain = try control.domainName(call[parameter: "domain"])
        guard let mapping = domain.basePathMappings.first(where: { $0.basePath == call[parameter: "path"] }) else {
            throw GatewayError.notFound("Invalid base path mapping identifier specified")
        }
        return mapping
    }
}

extension Shapes {
    static func domainName(_ domain: DomainName) -> [String: Any] {
        var object = self.object(domain)
        object["basePathMappings"] = nil
        return object
    }
}
