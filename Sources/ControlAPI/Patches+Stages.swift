import Foundation
import GatewayModel

extension Patches {
    /// The paths of a method setting, after `/{resource}/{method}`.
    static let methodSettingPaths = [
        "metrics/enabled", "logging/loglevel", "logging/dataTrace", "throttling/burstLimit", "throttling/rateLimit",
        "caching/enabled", "caching/ttlInSeconds", "caching/dataEncrypted",
        "caching/requireAuthorizationForCacheControl", "caching/unauthorizedCacheControlHeaderStrategy",
    ]

    static func apply(_ operations: [PatchOperation], to stage: inout Stage) throws {
        let allowed =
            [
                "/description", "/deploymentId", "/cacheClusterEnabled", "/cacheClusterSize", "/tracingEnabled",
                "/variables/{name}", "/accessLogSettings/format", "/accessLogSettings/destinationArn",
                "/documentationVersion", "/canarySettings/percentTraffic", "/canarySettings/deploymentId",
                "/canarySettings/stageVariableOverrides/{name}", "/canarySettings/useStageCache",
            ] + methodSettingPaths.map { "/{resourcePath}/{httpMethod}/" + $0 }
        for operation in operations {
            let parts = operation.segments
            let raw = operation.rawSegments
            if operation.op == .copy {
                try promote(operation, stage: &stage)
                continue
            }
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "description", 1): stage.description = operation.value
            case (.replace, "deploymentId", 1): stage.deploymentId = try operation.string()
            case (.replace, "cacheClusterEnabled", 1): stage.cacheClusterEnabled = try operation.bool()
            case (.replace, "cacheClusterSize", 1):
                stage.cacheClusterSize = try operation.enumValue(CacheClusterSize.self)
            case (.replace, "tracingEnabled", 1): stage.tracingEnabled = try operation.bool()
            case (.remove, "canarySettings", 1): stage.canarySettings = nil
            // AWS's answers to canary paths it does not take (recorded in LocalStack's canary tests): every canary
            // setting is set with replace, and only the whole canary or one override is removed.
            case (.add, "canarySettings", _):
                throw ControlError.badRequest("Invalid add operation with path: \(operation.path)")
            case (.remove, "canarySettings", 2):
                throw Patches.noSuchStageSetting(String(operation.path.dropFirst()))
            case (_, "canarySettings", 1):
                throw Patches.invalidStageSettingPath(operation.path)
            case (_, "canarySettings", 2), (_, "canarySettings", 3):
                // The canary's own settings; a canary that was not there starts on the stage's deployment.
                var canary = stage.canarySettings ?? CanarySettings(deploymentId: stage.deploymentId)
                switch (operation.op, parts[1], parts.count) {
                case (.replace, "percentTraffic", 2): canary.percentTraffic = try operation.double()
                case (.replace, "deploymentId", 2): canary.deploymentId = try operation.string()
                case (.replace, "useStageCache", 2): canary.useStageCache = try operation.bool()
                case (_, "stageVariableOverrides", 3):
                    try operation.apply(to: &canary.stageVariableOverrides, key: parts[2]) { try operation.string() }
                case (.replace, _, _): throw Patches.invalidStageSettingPath(operation.path)
                default: throw operation.unsupported(allowed)
                }
                stage.canarySettings = canary
            case (.replace, "documentationVersion", 1):
                stage.documentationVersion = operation.value.flatMap { $0.isEmpty ? nil : $0 }
            case (.replace, "accessLogSettings", 2), (.add, "accessLogSettings", 2):
                var settings = stage.accessLogSettings ?? AccessLogSettings()
                switch parts[1] {
                case "format": settings.format = try operation.string()
                case "destinationArn": settings.destinationArn = try operation.string()
                default: throw operation.unsupported(allowed)
                }
                stage.accessLogSettings = settings
            case (.remove, "accessLogSettings", 1): stage.accessLogSettings = nil
            case (_, "variables", 2):
                try operation.apply(to: &stage.variables, key: parts[1]) { try operation.string() }
            case (.remove, _, 2) where raw[0] == "*" || raw[0].hasPrefix("~1"):
                // AWS refuses to remove a method setting the stage does not have (recorded in LocalStack's
                // test_update_stage_remove_wildcard), with its trailing space.
                let key = raw[0] + "/" + raw[1]
                guard stage.methodSettings.removeValue(forKey: key) != nil else {
                    throw Patches.noSuchStageSetting(key)
                }
            // A method setting, keyed `{resourcePath}/{httpMethod}` as given: AWS keeps a key whose resource path
            // lacks the `~1` (`test/GET`, recorded in LocalStack's TestStages), which then applies to no method.
            case (.replace, _, 4) where methodSettingPaths.contains(parts[2] + "/" + parts[3]):
                let key = raw[0] + "/" + raw[1]
                var setting = stage.methodSettings[key] ?? stage.allMethods
                try apply(operation, setting: parts[2] + "/" + parts[3], to: &setting, allowed: allowed)
                stage.methodSettings[key] = setting
            case (.replace, _, _): throw Patches.invalidStageSettingPath(operation.path)
            default: throw operation.unsupported(allowed)
            }
        }
    }

    /// AWS's answer to removing a stage setting that is not there (with its trailing space).
    static func noSuchStageSetting(_ key: String) -> ControlError {
        ControlError.badRequest(
            "Cannot remove method setting \(key) because there is no method setting for this method ")
    }

    /// AWS's answer to a stage path it does not take, with the paths it lists (its list, as it writes it).
    static func invalidStageSettingPath(_ path: String) -> ControlError {
        ControlError.badRequest(
            "Invalid method setting path: \(path). Must be one of: [/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]"
        )
    }

    /// A canary's promotion, as AWS takes it: `copy` from `/canarySettings/deploymentId` to `/deploymentId` makes the
    /// canary's deployment the stage's, and from `/canarySettings/stageVariableOverrides` to `/variables` sets the
    /// stage's variables to the overrides (other variables stay). The canary stays as it is.
    private static func promote(_ operation: PatchOperation, stage: inout Stage) throws {
        let from = operation.from ?? ""
        let valid =
            (from == "/canarySettings/deploymentId" && operation.path == "/deploymentId")
            || (from == "/canarySettings/stageVariableOverrides" && operation.path == "/variables")
        guard valid else {
            throw ControlError.badRequest(
                "Invalid copy operation with path: \(operation.path) and from \(from). Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]"
            )
        }
        guard let canary = stage.canarySettings else {
            throw ControlError.badRequest("Promotion not available. Canary does not exist.")
        }
        if operation.path == "/deploymentId" {
            stage.deploymentId = canary.deploymentId
        } else {
            for (name, value) in canary.stageVariableOverrides { stage.variables[name] = value }
        }
    }

    private static func apply(
        _ operation: PatchOperation, setting path: String, to setting: inout MethodSetting, allowed: [String]
    ) throws {
        switch path {
        case "metrics/enabled": setting.metricsEnabled = try operation.bool()
        case "logging/loglevel": setting.loggingLevel = try operation.enumValue(LoggingLevel.self)
        case "logging/dataTrace": setting.dataTraceEnabled = try operation.bool()
        case "throttling/burstLimit": setting.throttlingBurstLimit = try operation.int(0...Int(Int32.max))
        case "throttling/rateLimit": setting.throttlingRateLimit = try operation.double()
        case "caching/enabled": setting.cachingEnabled = try operation.bool()
        case "caching/ttlInSeconds": setting.cacheTtlInSeconds = try operation.int(0...MethodSetting.maximumCacheTtl)
        case "caching/dataEncrypted": setting.cacheDataEncrypted = try operation.bool()
        case "caching/requireAuthorizationForCacheControl":
            setting.requireAuthorizationForCacheControl = try operation.bool()
        case "caching/unauthorizedCacheControlHeaderStrategy":
            setting.unauthorizedCacheControlHeaderStrategy = try operation.enumValue(
                UnauthorizedCacheControlHeaderStrategy.self)
        default: throw operation.unsupported(allowed)
        }
    }

    static func apply(_ operations: [PatchOperation], to plan: inout UsagePlan) throws {
        let allowed = [
            "/name", "/description", "/productCode", "/throttle/burstLimit", "/throttle/rateLimit", "/quota/limit",
            "/quota/period", "/quota/offset", "/apiStages", "/apiStages/{apiId}:{stage}/throttle",
            "/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}/rateLimit|burstLimit",
        ]
        for operation in operations {
            let parts = operation.segments
            switch (operation.op, parts.first ?? "", parts.count) {
            case (.replace, "name", 1), (.add, "name", 1): plan.name = try operation.string()
            case (.replace, "description", 1), (.add, "description", 1): plan.description = operation.value
            case (.replace, "productCode", 1), (.add, "productCode", 1): plan.productCode = operation.value
            case (.remove, "throttle", 1): plan.throttle = nil
            case (.replace, "throttle", 2), (.add, "throttle", 2):
                var throttle = plan.throttle ?? ThrottleSettings(burstLimit: 0, rateLimit: 0)
                switch parts[1] {
                case "burstLimit": throttle.burstLimit = try operation.int(0...Int(Int32.max))
                case "rateLimit": throttle.rateLimit = try operation.double()
                default: throw operation.unsupported(allowed)
                }
                plan.throttle = throttle
            case (.remove, "quota", 1): plan.quota = nil
            case (.replace, "quota", 2), (.add, "quota", 2):
                var quota = plan.quota ?? QuotaSettings(limit: 0, period: .day)
                switch parts[1] {
                case "limit": quota.limit = try operation.int(0...Int(Int32.max))
                case "offset": quota.offset = try operation.int(0...Int(Int32.max))
                case "period": quota.period = try operation.enumValue(QuotaPeriod.self)
                default: throw operation.unsupported(allowed)
                }
                plan.quota = quota
            case (.add, "apiStages", 1):
                let stage = try apiStage(operation.value ?? "", operation)
                if !plan.apiStages.contains(stage) { plan.apiStages.append(stage) }
            case (.remove, "apiStages", 1):
                let stage = try apiStage(operation.value ?? "", operation)
                plan.apiStages.removeAll { $0 == stage }
            case (_, "apiStages", _) where parts.count >= 3 && parts[2] == "throttle":
                let target = try apiStage(parts[1], operation)
                guard let index = plan.apiStages.firstIndex(of: target) else {
                    throw ControlError.badRequest("The usage plan does not have stage \(parts[1])")
                }
                try applyMethodThrottle(operation, parts: Array(parts.dropFirst(3)), to: &plan.apiStages[index])
            default: throw operation.unsupported(allowed)
            }
        }
    }

    /// `/apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{httpMethod}/{rateLimit|burstLimit}]`.
    private static func applyMethodThrottle(_ operation: PatchOperation, parts: [String], to stage: inout ApiStage)
        throws
    {
        if parts.isEmpty {
            switch operation.op {
            case .remove: stage.throttle = [:]
            case .add, .replace:
                guard let data = try operation.string().data(using: .utf8),
                    let map = try? JSONDecoder().decode([String: ThrottleSettings].self, from: data)
                else {
                    throw ControlError.badRequest(
                        "Invalid throttle value for \(operation.path): a JSON map such as {\"/pets/GET\": {\"rateLimit\": 10, \"burstLimit\": 5}}"
                    )
                }
                stage.throttle = map
            default: throw operation.unsupported(["add", "replace", "remove"].map { "\($0) \(operation.path)" })
            }
            return
        }
        guard parts.count >= 2 else { throw operation.unsupported(["/apiStages/{id}/throttle/{path}/{method}/…"]) }
        let key = parts[0] + "/" + parts[1]
        if operation.op == .remove {
            stage.throttle[key] = nil
            return
        }
        guard parts.count == 3 else { throw operation.unsupported(["…/rateLimit", "…/burstLimit"]) }
        var settings = stage.throttle[key] ?? ThrottleSettings(burstLimit: 0, rateLimit: 0)
        switch parts[2] {
        case "rateLimit": settings.rateLimit = try operation.double()
        case "burstLimit": settings.burstLimit = try operation.int(0...Int(Int32.max))
        default: throw operation.unsupported(["…/rateLimit", "…/burstLimit"])
        }
        stage.throttle[key] = settings
    }

    /// `apiId:stage`; anything else (no value included) is AWS's 400 `Invalid API Stage specified`.
    static func apiStage(_ text: String, _ operation: PatchOperation) throws -> ApiStage {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { throw ControlError.badRequest("Invalid API Stage specified") }
        return ApiStage(apiId: String(parts[0]), stage: String(parts[1]))
    }
}
