import Foundation
import GatewayControl
import GatewayModel
import TestSupport

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openapi")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }

    static let importable = [
        "aws-console-petstore-swagger2.json", "aws-docs-proxy-resource-oas30.json", "aws-docs-vpclink-swagger2.json",
        "oai-petstore-swagger2.json", "swagger-petstore3-oas30.yaml",
    ]
}

/// A fresh control plane on an in-memory state, or on a new PostgreSQL database when the suite runs on
/// PostgreSQL (`GATEHOUSE_TEST_STATE=postgres`, as `Tests/Scripts/test` runs it a second time).
func memoryControl() throws -> GatewayControl {
    guard PostgresTestDatabase.controlTestsOnPostgres else { return try GatewayControl(location: ":memory:") }
    return try GatewayControl(location: try PostgresTestDatabase.make().url)
}

/// A temporary state file path, removed with its WAL files by `cleanup`.
struct TemporaryState {
    let path: String

    init() {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "gatehouse-test-\(UUID().uuidString)/state.sqlite"
            ).path
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }
}

/// What an API says, without the ids and dates that differ between two imports of it.
struct ApiShape: Equatable, CustomStringConvertible {
    var name: String
    var apiKeySource: ApiKeySource
    var binaryMediaTypes: [String]
    var resources: [String: [String: Method]]
    var models: [String: String]
    var validators: [String: [Bool]]
    var gatewayResponses: [String: GatewayResponse]

    init(_ definition: ApiDefinition) {
        name = definition.api.name
        apiKeySource = definition.api.apiKeySource
        binaryMediaTypes = definition.api.binaryMediaTypes.sorted()
        let validatorNames = Dictionary(uniqueKeysWithValues: definition.requestValidators.map { ($0.id, $0.name) })
        let resourcePaths = Dictionary(uniqueKeysWithValues: definition.resources.map { ($0.id, $0.path) })
        resources = Dictionary(
            uniqueKeysWithValues: definition.resources.map { resource in
                (
                    resource.path,
                    resource.resourceMethods.mapValues { method in
                        var method = method
                        method.requestValidatorId = method.requestValidatorId.flatMap { validatorNames[$0] }
                        // The default cache namespace is the resource's id: compare it as the path.
                        if let namespace = method.methodIntegration?.cacheNamespace, let path = resourcePaths[namespace]
                        {
                            method.methodIntegration?.cacheNamespace = "resource:" + path
                        }
                        return method
                    }
                )
            })
        let apiId = definition.api.id
        models = Dictionary(
            uniqueKeysWithValues: definition.models.map {
                (
                    $0.name,
                    ApiShape.canonical(
                        ($0.schema ?? "").replacingOccurrences(of: "/restapis/\(apiId)/", with: "/restapis/API/"))
                )
            })
        validators = Dictionary(
            uniqueKeysWithValues: definition.requestValidators.map {
                ($0.name, [$0.validateRequestBody, $0.validateRequestParameters])
            })
        gatewayResponses = Dictionary(uniqueKeysWithValues: definition.gatewayResponses.map { ($0.responseType, $0) })
    }

    var description: String { "\(name): \(resources.keys.sorted())" }

    /// A JSON text with its keys sorted, so that two schemas that differ only in key order compare equal.
    static func canonical(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
