import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// API Gateway's limit of stages per API.
    public static let maximumStages = 10

    /// AWS's answer to a canary deployment without a stage name (`given` nil or empty).
    public static func canaryWithoutStage(_ given: String?) -> GatewayError {
        GatewayError.badRequest(
            "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is \(given ?? "null")"
        )
    }

    /// Freezes the working copy into a deployment and, with `stageName`, creates or repoints that stage.
    /// With `canary`, the deployment becomes the canary of the stage `stageName` (which must exist) instead of
    /// its deployment: the canary's `deploymentId` is the new deployment's.
    public func createDeployment(
        api: String, stageName: String? = nil, stageDescription: String? = nil, description: String? = nil,
        canary: CanarySettings? = nil
    )
        throws -> Deployment
    {
        if canary != nil, stageName?.isEmpty ?? true { throw GatewayControl.canaryWithoutStage(stageName) }
        if let stageName, let problem = Stage.problem(inName: stageName) { throw GatewayError.badRequest(problem) }
        if let canary, let problem = CanarySettings.problem(inPercent: canary.percentTraffic) {
            throw GatewayError.badRequest(problem)
        }
        let (deployment, stageCreated) = try write { access -> (Deployment, Bool?) in
            let definition = try loadDefinition(api, access)
            try checkDeployable(definition, access)
            let deployment = Deployment(
                id: Identifiers.deployment(), restApiId: api, description: description,
                apiSummary: Deployment.summary(of: definition))
            if let canary {
                guard let stageName, var stage = try access.one(Stage.self, in: .stage, id: stageName, api: api)
                else {
                    throw GatewayError.badRequest(
                        "Invalid deployment content specified.Stage \(stageName ?? "") must already be created before making a canary release deployment"
                    )
                }
                try access.save(deployment: deployment, snapshot: definition)
                var settings = canary
                settings.deploymentId = deployment.id
                stage.canarySettings = settings
                stage.lastUpdatedDate = Date()
                try access.save(stage, in: .stage, id: stageName, api: api)
                return (deployment, false)
            }
            try access.save(deployment: deployment, snapshot: definition)
            guard let stageName else { return (deployment, nil) }
            if var stage = try access.one(Stage.self, in: .stage, id: stageName, api: api) {
                stage.deploymentId = deployment.id
                stage.lastUpdatedDate = Date()
                try access.save(stage, in: .stage, id: stageName, api: api)
                return (deployment, false)
            }
            try checkStageQuota(api, access)
            let stage = Stage(
                stageName: stageName, restApiId: api, deploymentId: deployment.id, description: stageDescription)
            try access.save(stage, in: .stage, id: stageName, api: api)
            return (deployment, true)
        }
        emit(.deployment, .created, id: deployment.id, api: api)
        if let stageName, let stageCreated { emit(.stage, stageCreated ? .created : .updated, id: stageName, api: api) }
        return deployment
    }

    nonisolated func checkDeployable(_ definition: ApiDefinition, _ access: StoreAccess) throws {
        let methods = definition.sortedResources.flatMap { resource in resource.sortedMethods.map { (resource, $0) } }
        guard !methods.isEmpty else { throw GatewayError.badRequest("The REST API doesn't contain any methods") }
        for (resource, method) in methods {
            guard let integration = method.methodIntegration else {
                throw GatewayError.badRequest(
                    "No integration defined for method (\(method.httpMethod) \(resource.path))")
            }
            if integration.connectionType == .vpcLink, let id = integration.connectionId, !id.contains("${") {
                guard let link = try access.one(VpcLink.self, in: .vpcLink, id: id) else {
                    throw GatewayError.badRequest(
                        "Invalid VPC link identifier specified: \(id) (\(method.httpMethod) \(resource.path))")
                }
                if link.status == .failed || link.status == .deleting {
                    throw GatewayError.badRequest(
                        "VPC link \(id) is \(link.status.rawValue); methods that use it cannot be deployed")
                }
            }
        }
    }

    nonisolated func checkStageQuota(_ api: String, _ access: StoreAccess) throws {
        if try access.all(Stage.self, in: .stage, api: api).count >= GatewayControl.maximumStages {
            throw GatewayError(.limitExceeded, "An API can have at most \(GatewayControl.maximumStages) stages")
        }
    }

    /// The deployments of an API, newest first.
    public nonisolated func deployments(api: String) throws -> [Deployment] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(Deployment.self, in: .deployment, api: api)
        }.sorted { $0.createdDate > $1.createdDate }
    }

    /// The frozen API of a deployment.
    public nonisolated func deployedDefinition(api: String, deployment: String) throws -> ApiDefinition {
        try read { access in
            _ = try requireApi(api, access)
            guard let snapshot = try access.snapshot(deployment: deployment, api: api) else {
                throw GatewayError.notFound("Invalid Deployment identifier specified")
            }
            return snapshot
        }
    }

    /// Changes a deployment's description (its snapshot never changes).
    public func updateDeployment(api: String, id: String, description: String?) throws -> Deployment {
        let deployment = try write { access in
            _ = try requireApi(api, access)
            guard var deployment = try access.one(Deployment.self, in: .deployment, id: id, api: api) else {
                throw GatewayError.notFound("Invalid Deployment identifier specified")
            }
            deployment.description = description
            try access.updateDeployment(deployment)
            return deployment
        }
        emit(.deployment, .updated, id: id, api: api)
        return deployment
    }

    /// Deletes a deployment no stage points at.
    public func deleteDeployment(api: String, id: String) throws {
        try write { access in
            _ = try requireApi(api, access)
            guard try access.one(Deployment.self, in: .deployment, id: id, api: api) != nil else {
                throw GatewayError.notFound("Invalid Deployment identifier specified")
            }
            if try access.all(Stage.self, in: .stage, api: api).contains(where: {
                $0.deploymentId == id || $0.canarySettings?.deploymentId == id
            }) {
                throw GatewayError.badRequest("Active stages pointing to this deployment must be moved or deleted")
            }
            try access.delete(from: .deployment, id: id, api: api)
        }
        emit(.deployment, .deleted, id: id, api: api)
    }

    // MARK: Stages

    /// Creates a stage on an existing deployment.
    public func createStage(
        api: String, name: String, deploymentId: String, description: String? = nil, cacheClusterEnabled: Bool = false,
        cacheClusterSize: CacheClusterSize? = nil, variables: [String: String] = [:]
    ) throws -> Stage {
        if let problem = Stage.problem(inName: name) { throw GatewayError.badRequest(problem) }
        for (key, value) in variables {
            if let problem = Stage.problem(inVariable: key, value: value) { throw GatewayError.badRequest(problem) }
        }
        let stage = try write { access in
            _ = try requireApi(api, access)
            guard try access.one(Deployment.self, in: .deployment, id: deploymentId, api: api) != nil else {
                throw GatewayError.notFound("Invalid Deployment identifier specified")
            }
            if try access.one(Stage.self, in: .stage, id: name, api: api) != nil {
                throw GatewayError.conflict("Stage already exists")
            }
            try checkStageQuota(api, access)
            let stage = Stage(
                stageName: name, restApiId: api, deploymentId: deploymentId, description: description,
                cacheClusterEnabled: cacheClusterEnabled, cacheClusterSize: cacheClusterSize, variables: variables)
            try access.save(stage, in: .stage, id: name, api: api)
            return stage
        }
        emit(.stage, .created, id: name, api: api)
        return stage
    }

    /// The stages of an API.
    public nonisolated func stages(api: String) throws -> [Stage] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(Stage.self, in: .stage, api: api)
        }.sorted { $0.stageName < $1.stageName }
    }

    /// One stage.
    public nonisolated func stage(api: String, name: String) throws -> Stage {
        try read { access in
            _ = try requireApi(api, access)
            guard let stage = try access.one(Stage.self, in: .stage, id: name, api: api) else {
                throw GatewayError.notFound("Invalid stage identifier specified")
            }
            return stage
        }
    }

    /// Changes a stage's settings, validated as `UpdateStage` validates them.
    public func updateStage(api: String, name: String, _ change: @Sendable (inout Stage) throws -> Void) throws -> Stage
    {
        let stage = try write { access in
            _ = try requireApi(api, access)
            guard var stage = try access.one(Stage.self, in: .stage, id: name, api: api) else {
                throw GatewayError.notFound("Invalid stage identifier specified")
            }
            let original = stage
            try change(&stage)
            stage.stageName = original.stageName
            stage.restApiId = original.restApiId
            stage.createdDate = original.createdDate
            stage.lastUpdatedDate = Date()
            try validate(stage, access)
            if stage.cacheClusterEnabled != original.cacheClusterEnabled
                || stage.cacheClusterSize != original.cacheClusterSize
            {
                stage.cacheClusterStatus = stage.cacheClusterEnabled ? .available : .notAvailable
                if stage.cacheClusterEnabled && stage.cacheClusterSize == nil { stage.cacheClusterSize = .gb0_5 }
            }
            try access.save(stage, in: .stage, id: name, api: api)
            return stage
        }
        emit(.stage, .updated, id: name, api: api)
        return stage
    }

    nonisolated func validate(_ stage: Stage, _ access: StoreAccess) throws {
        if let canary = stage.canarySettings {
            if let problem = CanarySettings.problem(inPercent: canary.percentTraffic) {
                throw GatewayError.badRequest(problem)
            }
            guard
                try access.one(Deployment.self, in: .deployment, id: canary.deploymentId, api: stage.restApiId) != nil
            else {
                throw GatewayError.badRequest("Deployment id does not exist")
            }
            for (name, value) in canary.stageVariableOverrides {
                if let problem = Stage.problem(inVariable: name, value: value) {
                    throw GatewayError.badRequest(problem)
                }
            }
        }
        guard try access.one(Deployment.self, in: .deployment, id: stage.deploymentId, api: stage.restApiId) != nil
        else {
            throw GatewayError.badRequest("Invalid Deployment identifier specified: \(stage.deploymentId)")
        }
        if stage.variables.count > 100 { throw GatewayError.badRequest("A stage can have at most 100 variables") }
        for (key, value) in stage.variables {
            if let problem = Stage.problem(inVariable: key, value: value) { throw GatewayError.badRequest(problem) }
        }
        for (key, setting) in stage.methodSettings {
            let parts = key.split(separator: "/", omittingEmptySubsequences: false)
            // `*/*`, `~1resource~1path/METHOD`, or any other first part, which AWS keeps as given (`test/GET`,
            // recorded in LocalStack's TestStages) and which then applies to no method.
            let valid =
                key == MethodSetting.allMethodsKey
                || (parts.count == 2 && !parts[0].isEmpty
                    && (HTTPVerb.isValid(String(parts[1])) || parts[1] == "*"))
            guard valid else {
                throw GatewayError.badRequest(
                    "Invalid method setting path '\(key)': use */* or ~1resource~1path/METHOD")
            }
            guard (0...MethodSetting.maximumCacheTtl).contains(setting.cacheTtlInSeconds) else {
                throw GatewayError.badRequest("Cache TTL must be between 0 and 3600 seconds (\(key))")
            }
            guard setting.throttlingRateLimit >= 0, setting.throttlingBurstLimit >= 0 else {
                throw GatewayError.badRequest("Throttling rate and burst must not be negative (\(key))")
            }
        }
    }

    /// Deletes a stage that no usage plan covers.
    public func deleteStage(api: String, name: String) throws {
        try write { access in
            _ = try requireApi(api, access)
            guard try access.one(Stage.self, in: .stage, id: name, api: api) != nil else {
                throw GatewayError.notFound("Invalid stage identifier specified")
            }
            let plans = try access.all(UsagePlan.self, in: .usagePlan, api: nil)
                .filter { $0.apiStages.contains(ApiStage(apiId: api, stage: name)) }
            if !plans.isEmpty {
                throw GatewayError.badRequest(
                    "Cannot delete stage \(name): it is associated with usage plan(s) \(plans.map(\.id).joined(separator: ", ")); remove it from them first"
                )
            }
            try access.delete(from: .stage, id: name, api: api)
        }
        emit(.stage, .deleted, id: name, api: api)
    }
}
