import GatewayControl
import GatewayEngine
import GatewayModel

/// What the console shows, read from the control plane in one go after each change.
struct ConsoleModel {
    var apis: [RestApi] = []
    var resources: [String: [Resource]] = [:]
    var stages: [String: [Stage]] = [:]
    var authorizers: [String: [Authorizer]] = [:]
    var validators: [String: [RequestValidator]] = [:]
    var keys: [ApiKey] = []
    var plans: [UsagePlan] = []
    var planKeys: [String: [String]] = [:]
    var links: [VpcLink] = []
    var balancers: [LoadBalancer] = []

    static func load(_ control: GatewayControl) async throws -> ConsoleModel {
        var model = ConsoleModel()
        model.apis = try control.restApis()
        for api in model.apis {
            model.resources[api.id] = try control.resources(api: api.id)
            model.stages[api.id] = try control.stages(api: api.id)
            model.authorizers[api.id] = try control.authorizers(api: api.id)
            model.validators[api.id] = try control.requestValidators(api: api.id)
        }
        model.keys = try control.apiKeys()
        model.plans = try control.usagePlans()
        for plan in model.plans { model.planKeys[plan.id] = try control.usagePlanKeys(plan: plan.id).map(\.id) }
        model.links = try control.vpcLinks()
        model.balancers = try control.loadBalancers()
        return model
    }

    var isEmpty: Bool { apis.isEmpty && balancers.isEmpty && links.isEmpty }

    /// The rows of an API's resource tree: each resource, then its methods, depth-first by path.
    func treeRows(api: String) -> [TreeRow] {
        let all = resources[api] ?? []
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
