import Foundation
import GatewayControl
import GatewayModel

extension ControlAPI {
    static var stageRoutes: [Route] {
        [
            Route("POST", "restapis/{api}/deployments") { api, call in try await api.createDeployment(call) },
            Route("GET", "restapis/{api}/deployments") { api, call in
                let (items, position) = try call.page(try api.control.deployments(api: call.apiId))
                let embed = call.queryValues("embed").contains("apisummary")
                return .json(200, Shapes.list(items.map { Shapes.deployment($0, embed: embed) }, position: position))
            },
            Route("GET", "restapis/{api}/deployments/{id}") { api, call in
                let id = call[parameter: "id"]
                guard
                    let deployment = try api.control.deployments(api: call.apiId).first(where: {
                        $0.id == id
                    })
                else { throw GatewayError.notFound("Invalid Deployment identifier specified") }
                return .json(
                    200, Shapes.deployment(deployment, embed: call.queryValues("embed").contains("apisummary")))
            },
            Route("PATCH", "restapis/{api}/deployments/{id}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateDeploymentInput")
                var description: String?
                for operation in operations {
                    guard operation.op == .replace, operation.path == "/description" else {
                        throw operation.unsupported(["/description"])
                    }
                    description = operation.value
                }
                let updated = try await api.control.updateDeployment(
                    api: call.apiId, id: call[parameter: "id"], description: description)
                return .json(200, Shapes.deployment(updated, embed: false))
            },
            Route("DELETE", "restapis/{api}/deployments/{id}") { api, call in
                try await api.control.deleteDeployment(api: call.apiId, id: call[parameter: "id"])
                return .empty(202)
            },
            Route("POST", "restapis/{api}/stages") { api, call in try await api.createStage(call) },
            Route("GET", "restapis/{api}/stages") { api, call in
                var stages = try api.control.stages(api: call.apiId)
                if let deployment = call.queryValue("deploymentId") {
                    stages.removeAll { $0.deploymentId != deployment }
                }
                return .json(200, Shapes.list(stages.map(Shapes.stage)))
            },
            Route("GET", "restapis/{api}/stages/{stage}") { api, call in
                .json(
                    200,
                    Shapes.stage(
                        try api.control.stage(api: call.apiId, name: call[parameter: "stage"])))
            },
            Route("PATCH", "restapis/{api}/stages/{stage}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateStageInput")
                // A stage can publish only a documentation version the API has.
                for operation in operations where operation.path == "/documentationVersion" {
                    if let version = operation.value, !version.isEmpty {
                        _ = try api.control.documentationVersion(api: call.apiId, version: version)
                    }
                }
                let updated = try await api.control.updateStage(
                    api: call.apiId, name: call[parameter: "stage"]
                ) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.stage(updated))
            },
            Route("DELETE", "restapis/{api}/stages/{stage}") { api, call in
                try await api.control.deleteStage(api: call.apiId, name: call[parameter: "stage"])
                return .empty(202)
            },
            Route("DELETE", "restapis/{api}/stages/{stage}/cache/data") { api, call in
                try await api.control.flushStageCache(api: call.apiId, stage: call[parameter: "stage"])
                return .empty(202)
            },
            Route("DELETE", "restapis/{api}/stages/{stage}/cache/authorizers") { api, call in
                try await api.control.flushStageAuthorizersCache(api: call.apiId, stage: call[parameter: "stage"])
                return .empty(202)
            },
        ]
    }

    /// `POST /restapis/{id}/deployments`: a deployment, and with `stageName` its stage, with the stage's settings.
    func createDeployment(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        let apiId = call.apiId
        let givenStageName = try body.string("stageName")
        let stageName = givenStageName.flatMap { $0.isEmpty ? nil : $0 }
        // Everything is read and checked before the deployment is made, so a bad member leaves nothing behind.
        let variables = try body.stringMap("variables")
        let cacheEnabled = try body.bool("cacheClusterEnabled")
        let cacheSize = try body.enumValue("cacheClusterSize", CacheClusterSize.self)
        let tracing = try body.bool("tracingEnabled")
        if let variables {
            if variables.count > 100 { throw ControlError.badRequest("A stage can have at most 100 variables") }
            for (name, value) in variables {
                if let problem = Stage.problem(inVariable: name, value: value) {
                    throw ControlError.badRequest(problem)
                }
            }
        }
        let canary = try body.object("canarySettings").map { settings in
            CanarySettings(
                percentTraffic: try settings.double("percentTraffic") ?? 0, deploymentId: "",
                stageVariableOverrides: try settings.stringMap("stageVariableOverrides") ?? [:],
                useStageCache: try settings.bool("useStageCache") ?? false)
        }
        // An empty stage name deploys no stage, but a canary needs one (AWS names what it was given).
        if canary != nil, givenStageName == "" { throw GatewayControl.canaryWithoutStage("") }
        let deployment = try await control.createDeployment(
            api: apiId, stageName: stageName, stageDescription: try body.string("stageDescription"),
            description: try body.string("description"), canary: canary)
        if let stageName, canary == nil, variables != nil || cacheEnabled != nil || cacheSize != nil || tracing != nil {
            _ = try await control.updateStage(api: apiId, name: stageName) { stage in
                if let variables { stage.variables = variables }
                if let cacheEnabled { stage.cacheClusterEnabled = cacheEnabled }
                if let cacheSize { stage.cacheClusterSize = cacheSize }
                if let tracing { stage.tracingEnabled = tracing }
            }
        }
        return .json(201, Shapes.deployment(deployment, embed: false))
    }

    func createStage(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        let apiId = call.apiId
        guard let name = try body.string("stageName"), !name.isEmpty else {
            throw ControlError.badRequest("Stage name must be non-empty")
        }
        guard let deploymentId = try body.string("deploymentId"), !deploymentId.isEmpty else {
            throw ControlError.badRequest("Deployment id must be non-empty")
        }
        let tracing = try body.bool("tracingEnabled")
        let tags = try body.stringMap("tags")
        let documentationVersion = try body.string("documentationVersion")
        let canary = try body.object("canarySettings").map { settings in
            CanarySettings(
                percentTraffic: try settings.double("percentTraffic") ?? 0,
                deploymentId: try settings.string("deploymentId") ?? deploymentId,
                stageVariableOverrides: try settings.stringMap("stageVariableOverrides") ?? [:],
                useStageCache: try settings.bool("useStageCache") ?? false)
        }
        if let documentationVersion {
            _ = try control.documentationVersion(api: apiId, version: documentationVersion)
        }
        var stage = try await control.createStage(
            api: apiId, name: name, deploymentId: deploymentId, description: try body.string("description"),
            cacheClusterEnabled: try body.bool("cacheClusterEnabled") ?? false,
            cacheClusterSize: try body.enumValue("cacheClusterSize", CacheClusterSize.self),
            variables: try body.stringMap("variables") ?? [:])
        if tracing != nil || tags != nil || documentationVersion != nil || canary != nil {
            stage = try await control.updateStage(api: apiId, name: name) { stage in
                stage.tracingEnabled = tracing ?? false
                stage.tags = tags ?? [:]
                stage.documentationVersion = documentationVersion
                stage.canarySettings = canary
            }
        }
        return .json(201, Shapes.stage(stage))
    }
}

extension Shapes {
    static func deployment(_ deployment: Deployment, embed: Bool) -> [String: Any] {
        var object = self.object(deployment)
        object["restApiId"] = nil
        if !embed { object["apiSummary"] = nil }
        return object
    }
}
