import Foundation
import GatewayModel
import GatewayStore

/// Everything a screen shows, read in one transaction so that no part of it is newer than another: each API's
/// working copy, its stages and deployments, what each stage serves, and the account's keys, plans and links.
public struct ControlOverview: Sendable {
    /// The working copy of each API (what the next deployment freezes), sorted by name.
    public var apis: [ApiDefinition] = []
    public var stages: [String: [Stage]] = [:]
    /// Each API's deployments, newest first.
    public var deployments: [String: [Deployment]] = [:]
    /// What each stage serves: the API its deployment froze, keyed `api/stage`.
    public var served: [String: ApiDefinition] = [:]
    public var keys: [ApiKey] = []
    public var plans: [UsagePlan] = []
    /// Usage plan id → ids of the keys in it.
    public var planKeys: [String: [String]] = [:]
    public var links: [VpcLink] = []
    public var balancers: [LoadBalancer] = []
    public var functions: [LambdaFunction] = []
    public var userPools: [UserPool] = []
    /// The state's generation this overview was read at.
    public var generation = 0

    public init() {}

    public static func servedKey(api: String, stage: String) -> String { api + "/" + stage }
}

extension GatewayControl {
    /// The whole state as one consistent overview (one read transaction).
    public nonisolated func overview() throws -> ControlOverview {
        try read { access in
            var overview = ControlOverview()
            overview.generation = try access.generation()
            let apis = try access.all(RestApi.self, in: .restApi).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            for api in apis {
                var definition = try loadDefinition(api.id, access)
                definition.resources.sort { $0.path < $1.path }
                overview.apis.append(definition)
                let stages = try access.all(Stage.self, in: .stage, api: api.id).sorted { $0.stageName < $1.stageName }
                overview.stages[api.id] = stages
                overview.deployments[api.id] = try access.all(Deployment.self, in: .deployment, api: api.id).sorted {
                    $0.createdDate > $1.createdDate
                }
                for stage in stages {
                    if let snapshot = try access.snapshot(deployment: stage.deploymentId, api: api.id) {
                        overview.served[ControlOverview.servedKey(api: api.id, stage: stage.stageName)] = snapshot
                    }
                }
            }
            overview.keys = try access.all(ApiKey.self, in: .apiKey).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            overview.plans = try access.all(UsagePlan.self, in: .usagePlan).sorted {
                ($0.name, $0.id) < ($1.name, $1.id)
            }
            for plan in overview.plans { overview.planKeys[plan.id] = try access.keyIds(inPlan: plan.id) }
            overview.links = try access.all(VpcLink.self, in: .vpcLink).sorted { ($0.name, $0.id) < ($1.name, $1.id) }
            overview.balancers = try access.all(LoadBalancer.self, in: .loadBalancer).sorted { $0.name < $1.name }
            overview.functions = try access.all(LambdaFunction.self, in: .function).sorted { $0.name < $1.name }
            overview.userPools = try access.all(UserPool.self, in: .userPool).sorted { $0.id < $1.id }
            return overview
        }
    }
}
