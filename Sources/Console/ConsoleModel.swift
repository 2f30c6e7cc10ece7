import GatewayControl
import GatewayEngine
import GatewayModel

/// What the console shows, read from the control plane in one transaction after each change: the working copy of
/// every API, and what each stage serves.
struct ConsoleModel {
    var apis: [RestApi] = []
    var resources: [String: [Resource]] = [:]
    var stages: [String: [Stage]] = [:]
    var deployments: [String: [Deployment]] = [:]
    /// What each stage serves (its deployment's frozen API), keyed `api/stage`.
    var served: [String: ApiDefinition] = [:]
    var authorizers: [String: [Authorizer]] = [:]
    var validators: [String: [RequestValidator]] = [:]
    var keys: [ApiKey] = []
    var plans: [UsagePlan] = []
    var planKeys: [String: [String]] = [:]
    var links: [VpcLink] = []
    var balancers: [LoadBalancer] = []
    /// The Lambda functions run here, and the user pools whose tokens authorizers verify.
    var functions: [LambdaFunction] = []
    var userPools: [UserPool] = []
    /// Each user pool's key ids, read from its key set once per model.
    var poolKeyIds: [String: [String]] = [:]
    /// The account-level throttle the engine applies.
    var accountThrottle = ThrottleSettings(burstLimit: 5000, rateLimit: 10000)
    /// The state's generation the model was read at.
    var generation = 0

    static func load(_ control: GatewayControl) async throws -> ConsoleModel {
        var model = ConsoleModel(try control.overview())
        model.accountThrottle = await control.accountThrottle
        return model
    }

    init() {}

    init(_ overview: ControlOverview) {
        for definition in overview.apis {
            let id = definition.api.id
            apis.append(definition.api)
            resources[id] = definition.resources
            authorizers[id] = definition.authorizers
            validators[id] = definition.requestValidators
        }
        stages = overview.stages
        deployments = overview.deployments
        served = overview.served
        keys = overview.keys
        plans = overview.plans
        planKeys = overview.planKeys
        links = overview.links
        balancers = overview.balancers
        functions = overview.functions
        userPools = overview.userPools
        for pool in userPools { poolKeyIds[pool.id] = pool.keyIds }
        generation = overview.generation
        for (api, all) in resources { rowsByApi[api] = Self.treeRows(all) }
        for (api, stages) in stages {
            for stage in stages {
                let key = ControlOverview.servedKey(api: api, stage: stage.stageName)
                if let served = served[key],
                    WorkingCopy.differences(working: resources[api] ?? [], served: served.resources).isEmpty
                {
                    continue
                }
                behind.insert(key)
            }
        }
    }

    /// What a stage serves, when its deployment is there.
    func servedDefinition(api: String, stage: String) -> ApiDefinition? {
        served[ControlOverview.servedKey(api: api, stage: stage)]
    }

    /// True when what a stage serves differs from the working copy (or its deployment is gone): deploying
    /// would change what clients get.
    func stageIsBehind(api: String, stage: Stage) -> Bool {
        behind.contains(ControlOverview.servedKey(api: api, stage: stage.stageName))
    }

    /// The stages (`api/stage`) that are behind, found once when the model is read.
    private var behind: Set<String> = []

    var isEmpty: Bool { apis.isEmpty && balancers.isEmpty && links.isEmpty }

    /// The rows of an API's resource tree: each resource, then its methods, depth-first by path.
    /// Each API's tree rows, made once when the model is read (every frame asks for them several times).
    private var rowsByApi: [String: [TreeRow]] = [:]

    func treeRows(api: String) -> [TreeRow] { rowsByApi[api] ?? Self.treeRows(resources[api] ?? []) }

    static func treeRows(_ all: [Resource]) -> [TreeRow] {
        var rows: [TreeRow] = []
        for resource in all.sorted(by: { $0.path < $1.path }) {
            let depth = PathRules.segments(resource.path).count
            rows.append(TreeRow(resource: resource, method: nil, depth: depth))
            for method in resource.sortedMethods {
                rows.append(TreeRow(resource: resource, method: method, depth: depth + 1))
            }
        }
        return rows
    }

    func balancer(of link: VpcLink) -> LoadBalancer? {
        guard let name = link.balancerName else { return nil }
        return balancers.first { $0.name == name }
    }
}

/// A row of the resource tree: a resource, or one of its methods.
struct TreeRow {
    var resource: Resource
    var method: Method?
    var depth: Int
}
