import GatewayModel

/// What the engine serves, compiled once per change and swapped in whole: requests only ever read one.
final class CompiledSnapshot: Sendable {
    /// API id → stage name → stage.
    let stages: [String: [String: CompiledStage]]
    /// API key value → key.
    let keysByValue: [String: CompiledKey]
    /// VPC link id → the link and its load balancer.
    let links: [String: CompiledLink]
    let accountThrottle: ThrottleSettings
    /// Custom domain name (lowercased) → the domain and its mappings.
    let domains: [String: DomainName]
    /// Cognito user pool id → its keys.
    let userPools: [String: CompiledUserPool]
    /// Integration URI → the URI split, for every deployed URI without variables: split once, not per request.
    let fixedEndpoints: [String: FixedEndpoint]

    /// - Parameter metrics: the figures of a stage, kept across snapshots; looked up here once per publish so
    ///   that requests need no lookup.
    init(_ configuration: EngineConfiguration, metrics: (String, String) -> StageMetrics = { _, _ in StageMetrics() }) {
        var stages: [String: [String: CompiledStage]] = [:]
        for deployed in configuration.stages {
            let compiled = CompiledStage(deployed, metrics: metrics(deployed.stage.restApiId, deployed.stage.stageName))
            stages[compiled.apiId, default: [:]][compiled.stageName] = compiled
        }
        self.stages = stages
        var endpoints: [String: FixedEndpoint] = [:]
        for deployed in configuration.stages {
            for definition in [deployed.definition] + (deployed.canaryDefinition.map { [$0] } ?? []) {
                for resource in definition.resources {
                    for method in resource.resourceMethods.values {
                        guard let uri = method.methodIntegration?.uri, endpoints[uri] == nil,
                            let fixed = FixedEndpoint.parse(uri)
                        else { continue }
                        endpoints[uri] = fixed
                    }
                }
            }
        }
        fixedEndpoints = endpoints
        userPools = Dictionary(
            configuration.userPools.compactMap(CompiledUserPool.init).map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        domains = Dictionary(
            configuration.domainNames.map { ($0.domainName.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })

        var plansByKey: [String: [UsagePlan]] = [:]
        let plans = Dictionary(uniqueKeysWithValues: configuration.usagePlans.map { ($0.id, $0) })
        for (planId, keyIds) in configuration.planKeys {
            guard let plan = plans[planId] else { continue }
            for keyId in keyIds { plansByKey[keyId, default: []].append(plan) }
        }
        var keys: [String: CompiledKey] = [:]
        for key in configuration.apiKeys {
            var byStage: [StageRef: CompiledPlan] = [:]
            for plan in plansByKey[key.id] ?? [] {
                for apiStage in plan.apiStages {
                    byStage[StageRef(apiId: apiStage.apiId, stage: apiStage.stage)] = CompiledPlan(
                        plan: plan, apiStage: apiStage)
                }
            }
            keys[key.value] = CompiledKey(id: key.id, value: key.value, enabled: key.enabled, plans: byStage)
        }
        keysByValue = keys

        let balancers = Dictionary(uniqueKeysWithValues: configuration.loadBalancers.map { ($0.name, $0) })
        var links: [String: CompiledLink] = [:]
        for link in configuration.vpcLinks {
            let balancer = link.balancerName.flatMap { balancers[$0] }
            links[link.id] = CompiledLink(link: link, balancer: balancer)
        }
        self.links = links
        accountThrottle = configuration.accountThrottle
    }

    func stage(api: String, name: String) -> CompiledStage? { stages[api]?[name] }
}

/// An API and stage, as a usage plan names them.
struct StageRef: Hashable, Sendable {
    var apiId: String
    var stage: String
}

/// A deployed stage ready to serve.
final class CompiledStage: Sendable {
    let apiId: String
    let stageName: String
    let deploymentId: String
    let api: RestApi
    let routes: RouteNode
    let variables: [String: String]
    let cacheEnabled: Bool
    let cacheBudget: Int
    let methodSettings: [String: MethodSetting]
    let gatewayResponses: [String: GatewayModel.GatewayResponse]
    /// The stage's figures.
    let metrics: StageMetrics
    /// Resource id → method → the method's settings key (`~1pets/GET`), made once rather than per request.
    let settingKeys: [String: [String: String]]
    /// Authorizer id → the authorizer and its compiled `identityValidationExpression`.
    let authorizers: [String: CompiledAuthorizer]
    /// The request validators and model schemas methods are checked with.
    let validation: RequestValidation
    /// The stage's canary and the percentage of requests it serves; nil on a canary itself.
    let canary: CompiledStage?
    let canaryPercent: Double
    /// Whether this is a stage's canary, and if so whether it answers from the stage's cache.
    let isCanary: Bool
    let usesStageCache: Bool

    convenience init(_ deployed: EngineConfiguration.DeployedStage, metrics: StageMetrics) {
        self.init(deployed, metrics: metrics, asCanaryOf: nil)
    }

    /// A stage, or (with `settings`) its canary: the canary's deployment, the stage's variables under its
    /// overrides, the stage's settings and figures.
    private init(
        _ deployed: EngineConfiguration.DeployedStage, metrics: StageMetrics, asCanaryOf settings: CanarySettings?
    ) {
        self.metrics = metrics
        let stage = deployed.stage
        apiId = stage.restApiId
        stageName = stage.stageName
        isCanary = settings != nil
        usesStageCache = settings?.useStageCache ?? true
        deploymentId = settings?.deploymentId ?? stage.deploymentId
        api = deployed.definition.api
        routes = RouteNode.build(deployed.definition.resources)
        variables = stage.variables.merging(settings?.stageVariableOverrides ?? [:]) { $1 }
        cacheEnabled = stage.cacheClusterEnabled
        cacheBudget = CacheBudget.bytes(for: stage.cacheClusterSize ?? .gb0_5)
        methodSettings = stage.methodSettings
        var keys: [String: [String: String]] = [:]
        for resource in deployed.definition.resources {
            keys[resource.id] = Dictionary(
                uniqueKeysWithValues: resource.resourceMethods.keys.map {
                    ($0, MethodSetting.key(resourcePath: resource.path, httpMethod: $0))
                })
        }
        settingKeys = keys
        var responses: [String: GatewayModel.GatewayResponse] = [:]
        for response in deployed.definition.gatewayResponses { responses[response.responseType] = response }
        gatewayResponses = responses
        validation = RequestValidation(deployed.definition)
        authorizers = Dictionary(
            deployed.definition.authorizers.map { ($0.id, CompiledAuthorizer($0)) },
            uniquingKeysWith: { first, _ in first })
        if settings == nil, let canarySettings = stage.canarySettings, let definition = deployed.canaryDefinition {
            canary = CompiledStage(
                .init(stage: stage, definition: definition), metrics: metrics, asCanaryOf: canarySettings)
            canaryPercent = canarySettings.percentTraffic
        } else {
            canary = nil
            canaryPercent = 0
        }
    }

    /// The stage that serves one request: the canary for its share of requests, else the stage.
    func serving() -> CompiledStage {
        guard let canary, canaryPercent > 0 else { return self }
        return canaryPercent >= 100 || Double.random(in: 0..<100) < canaryPercent ? canary : self
    }

    /// The settings key of a method (`~1pets/GET`).
    func settingKey(_ resource: Resource, _ httpMethod: String) -> String {
        settingKeys[resource.id]?[httpMethod] ?? MethodSetting.key(resourcePath: resource.path, httpMethod: httpMethod)
    }

    /// The setting that applies to a method: its own (`~1path/METHOD`), else the stage's `*/*`, else none.
    func setting(key: String) -> MethodSetting? {
        methodSettings[key] ?? methodSettings[MethodSetting.allMethodsKey]
    }
}

/// An API key and the plan that covers it on each stage.
struct CompiledKey: Sendable {
    let id: String
    let value: String
    let enabled: Bool
    let plans: [StageRef: CompiledPlan]
}

/// A usage plan as it applies to one API stage.
struct CompiledPlan: Sendable {
    let id: String
    let name: String
    let throttle: ThrottleSettings?
    let quota: QuotaSettings?
    /// `/path/METHOD` → throttle.
    let methodThrottles: [String: ThrottleSettings]

    init(plan: UsagePlan, apiStage: ApiStage) {
        id = plan.id
        name = plan.name
        throttle = plan.throttle
        quota = plan.quota
        methodThrottles = apiStage.throttle
    }

    /// The throttle for a method: its own in this plan (`/pets/GET`, root `//GET`), else the plan's.
    func throttle(resourcePath: String, httpMethod: String) -> (key: String, settings: ThrottleSettings)? {
        let methodKey = resourcePath + "/" + httpMethod
        if let own = methodThrottles[methodKey] { return (methodKey, own) }
        return throttle.map { ("*", $0) }
    }
}

/// A VPC link with the load balancer it targets.
struct CompiledLink: Sendable {
    let link: VpcLink
    let balancer: LoadBalancer?
}

/// The memory a stage's cache may use, for API Gateway's capacities (which are GB of a dedicated instance).
public enum CacheBudget {
    /// 0.5 GB → 32 MB, doubling per size up to 237 GB → 4 GB.
    public static func bytes(for size: CacheClusterSize) -> Int {
        let megabytes: Int
        switch size {
        case .gb0_5: megabytes = 32
        case .gb1_6: megabytes = 64
        case .gb6_1: megabytes = 128
        case .gb13_5: megabytes = 256
        case .gb28_4: megabytes = 512
        case .gb58_2: megabytes = 1024
        case .gb118: megabytes = 2048
        case .gb237: megabytes = 4096
        }
        return megabytes * 1024 * 1024
    }
}
