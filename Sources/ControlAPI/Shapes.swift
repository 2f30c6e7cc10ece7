import Foundation
import GatewayControl
import GatewayEngine
import GatewayModel

/// The JSON shapes of API Gateway's answers, made from the model values (which already carry AWS's member
/// names): timestamps as epoch seconds, absent members left out, secrets only when asked for.
enum Shapes {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    /// Maps API Gateway leaves out of an answer when they are empty.
    static let omittedWhenEmpty: Set<String> = [
        "requestParameters", "requestModels", "requestTemplates", "responseParameters", "responseModels",
        "responseTemplates", "methodResponses", "integrationResponses",
    ]

    /// A model value as a JSON object.
    static func object<T: Encodable>(_ value: T) -> [String: Any] {
        guard let data = try? encoder.encode(value),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return pruned(object)
    }

    private static func pruned(_ object: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in object {
            if omittedWhenEmpty.contains(key) {
                if let map = value as? [String: Any], map.isEmpty { continue }
                if let list = value as? [Any], list.isEmpty { continue }
            }
            result[key] = (value as? [String: Any]).map(pruned) ?? value
        }
        return result
    }

    /// A list answer: `{"item": [...], "position": "..."}`.
    static func list(_ items: [[String: Any]], position: String? = nil) -> [String: Any] {
        var object: [String: Any] = ["item": items]
        if let position { object["position"] = position }
        return object
    }

    /// A REST API. AWS's create and import answers and its lists leave out an empty `tags`, which its other
    /// answers show.
    static func restApi(_ api: RestApi, created: Bool = false, listed: Bool = false) -> [String: Any] {
        var object = self.object(api)
        if api.warnings.isEmpty { object["warnings"] = nil }
        if api.binaryMediaTypes.isEmpty { object["binaryMediaTypes"] = nil }
        dropEmptyTags(&object, api.tags, created || listed)
        if var endpoint = object["endpointConfiguration"] as? [String: Any], endpoint["ipAddressType"] == nil {
            // A private API is dualstack, every other ipv4, unless set.
            let isPrivate = api.endpointConfiguration.types.contains(.private)
            endpoint["ipAddressType"] = (isPrivate ? IpAddressType.dualstack : .ipv4).rawValue
            object["endpointConfiguration"] = endpoint
        }
        return object
    }

    static func resource(_ resource: Resource, embedMethods: Bool) -> [String: Any] {
        var object: [String: Any] = ["id": resource.id, "path": resource.path]
        if let parentId = resource.parentId { object["parentId"] = parentId }
        if let pathPart = resource.pathPart { object["pathPart"] = pathPart }
        if !resource.resourceMethods.isEmpty {
            var methods: [String: Any] = [:]
            for (verb, method) in resource.resourceMethods {
                methods[verb] = embedMethods ? self.method(method) : [String: Any]()
            }
            object["resourceMethods"] = methods
        }
        return object
    }

    /// A method response: its maps, empty ones only where the put gave them so.
    static func methodResponse(_ response: MethodResponse) -> [String: Any] {
        var object = self.object(response)
        object["shownWhenEmpty"] = nil
        for name in response.shownWhenEmpty ?? [] where object[name] == nil { object[name] = [String: Any]() }
        return object
    }

    static func method(_ method: Method) -> [String: Any] {
        var object = self.object(method)
        if !method.methodResponses.isEmpty {
            object["methodResponses"] = method.methodResponses.mapValues(methodResponse)
        }
        if let integration = method.methodIntegration { object["methodIntegration"] = self.integration(integration) }
        if method.methodResponses.isEmpty { object["methodResponses"] = nil }
        if method.requestParameters.isEmpty { object["requestParameters"] = nil }
        if method.requestModels.isEmpty { object["requestModels"] = nil }
        return object
    }

    /// An integration as AWS reports it: `passthroughBehavior` always (WHEN_NO_MATCH unless set), a connection type
    /// only where there is a connection to make (HTTP and HTTP_PROXY, or a VPC link), no URI or method on a MOCK.
    static func integration(_ integration: Integration) -> [String: Any] {
        var object = self.object(integration)
        if object["passthroughBehavior"] == nil {
            object["passthroughBehavior"] = PassthroughBehavior.whenNoMatch.rawValue
        }
        if integration.connectionType == .internet, ![.http, .httpProxy].contains(integration.type) {
            object["connectionType"] = nil
        }
        if integration.type == .mock {
            object["uri"] = nil
            object["httpMethod"] = nil
        }
        if integration.integrationResponses.isEmpty {
            object["integrationResponses"] = nil
        } else {
            object["integrationResponses"] = integration.integrationResponses.mapValues(integrationResponse)
        }
        if integration.requestParameters.isEmpty { object["requestParameters"] = nil }
        if integration.requestTemplates.isEmpty { object["requestTemplates"] = nil }
        return object
    }

    /// An integration response; a template set to nothing (null or empty) is null, as AWS answers it.
    static func integrationResponse(_ response: IntegrationResponse) -> [String: Any] {
        var object = self.object(response)
        if !response.responseTemplates.isEmpty {
            object["responseTemplates"] = response.responseTemplates.mapValues { $0.isEmpty ? NSNull() : $0 as Any }
        }
        return object
    }

    static func stage(_ stage: Stage) -> [String: Any] {
        var object = self.object(stage)
        object["restApiId"] = nil
        // Empty variables, tags and canary overrides are left out, as AWS answers (LocalStack's canary recordings).
        if stage.variables.isEmpty { object["variables"] = nil }
        if stage.tags.isEmpty { object["tags"] = nil }
        if var canary = object["canarySettings"] as? [String: Any],
            (canary["stageVariableOverrides"] as? [String: Any])?.isEmpty == true
        {
            canary["stageVariableOverrides"] = nil
            object["canarySettings"] = canary
        }
        // API Gateway reports a cache size only while the cache is enabled (its status always: NOT_AVAILABLE).
        if !stage.cacheClusterEnabled { object["cacheClusterSize"] = nil }
        return object
    }

    /// AWS's create and list answers (of REST APIs, API keys and usage plans) leave out an empty `tags`, which its
    /// get and update answers show (recorded in LocalStack's tests).
    private static func dropEmptyTags(_ object: inout [String: Any], _ tags: [String: String], _ createdOrListed: Bool)
    {
        if createdOrListed && tags.isEmpty { object["tags"] = nil }
    }

    /// An API key; an empty name is left out, as AWS answers.
    static func apiKey(_ key: ApiKey, includeValue: Bool, created: Bool = false, listed: Bool = false) -> [String: Any]
    {
        var object = self.object(key)
        if !includeValue { object["value"] = nil }
        if key.name.isEmpty { object["name"] = nil }
        dropEmptyTags(&object, key.tags, created || listed)
        return object
    }

    static func vpcLink(_ link: VpcLink) -> [String: Any] { object(link) }

    /// A documentation version: its name, date and description (not the parts it holds).
    static func documentationVersion(_ version: DocumentationVersion) -> [String: Any] {
        var object = self.object(version)
        object["parts"] = nil
        return object
    }

    static func usagePlan(_ plan: UsagePlan, created: Bool = false, listed: Bool = false) -> [String: Any] {
        var object = self.object(plan)
        dropEmptyTags(&object, plan.tags, created || listed)
        object["apiStages"] = plan.apiStages.map { stage -> [String: Any] in
            var entry: [String: Any] = ["apiId": stage.apiId, "stage": stage.stage]
            if !stage.throttle.isEmpty { entry["throttle"] = stage.throttle.mapValues { self.object($0) } }
            return entry
        }
        return object
    }

    static func testInvoke(_ result: TestInvokeResult) -> [String: Any] {
        [
            "status": result.status, "body": result.body, "headers": result.headers,
            "multiValueHeaders": result.multiValueHeaders, "log": result.log, "latency": result.latencyMillis,
        ]
    }
}
