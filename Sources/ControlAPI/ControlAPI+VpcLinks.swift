import Foundation
import GatewayControl
import GatewayModel

extension ControlAPI {
    /// The tag on a VPC link that defines its load balancer when none of that name exists: `host:port,host:port`.
    public static let targetsTag = "gatehouse:targets"

    static var linkRoutes: [Route] {
        [
            Route("POST", "vpclinks") { api, call in try await api.createVpcLink(call) },
            Route("GET", "vpclinks") { api, call in
                let (items, position) = try call.page(try api.control.vpcLinks())
                return .json(200, Shapes.list(items.map(Shapes.vpcLink), position: position))
            },
            Route("GET", "vpclinks/{id}") { api, call in
                .json(200, Shapes.vpcLink(try api.control.vpcLink(call[parameter: "id"])))
            },
            Route("PATCH", "vpclinks/{id}") { api, call in
                let operations = try PatchOperation.list(try call.json(), input: "updateVpcLinkInput")
                let updated = try await api.control.updateVpcLink(call[parameter: "id"]) {
                    try Patches.apply(operations, to: &$0)
                }
                return .json(200, Shapes.vpcLink(updated))
            },
            Route("DELETE", "vpclinks/{id}") { api, call in
                try await api.control.deleteVpcLink(call[parameter: "id"])
                return .empty(202)
            },
        ]
    }

    /// `POST /vpclinks`: the load balancer is found by the name in its ARN (`…:loadbalancer/net/NAME/…`); when
    /// there is none, the `gatehouse:targets` tag makes it. The link is PENDING until a target answers.
    func createVpcLink(_ call: ControlCall) async throws -> Reply {
        let body = try call.json()
        let name = try body.string("name") ?? ""
        // AWS's checks, in its order and words: the name, then each ARN's form, then one balancer.
        guard !name.isEmpty else { throw ControlError.badRequest("Name cannot be empty") }
        let arns = try body.strings("targetArns") ?? []
        if let bad = arns.first(where: { !$0.hasPrefix("arn:") || $0.split(separator: ":").count < 6 }) {
            throw ControlError.badRequest("Invalid ARN. ARN is not well formed \(bad)")
        }
        guard arns.count == 1 else {
            throw ControlError.badRequest("targetArns must name exactly one network load balancer")
        }
        guard let balancerName = LoadBalancer.name(fromArn: arns[0]) else {
            throw ControlError.badRequest("NLB ARN is malformed: \(arns[0]) names no loadbalancer/net/NAME/ID")
        }
        let tags = try body.stringMap("tags") ?? [:]
        let known = try control.loadBalancers().contains { $0.name == balancerName }
        if !known {
            guard let spec = tags[ControlAPI.targetsTag] else {
                throw ControlError.badRequest(
                    "No load balancer named \(balancerName): tag the VPC link \(ControlAPI.targetsTag)=HOST:PORT[,HOST:PORT] or create it first (gatehouse load-balancer create \(balancerName) --target HOST:PORT)"
                )
            }
            let targets = try spec.split(separator: ",").map { text in
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                guard let target = Target(parsing: trimmed) else {
                    throw ControlError.badRequest(
                        "Invalid target '\(trimmed)' in tag \(ControlAPI.targetsTag): write HOST:PORT, comma-separated")
                }
                return target
            }
            guard !targets.isEmpty else {
                throw ControlError.badRequest("Tag \(ControlAPI.targetsTag) names no targets")
            }
            _ = try await control.createLoadBalancer(name: balancerName, targets: targets)
        }
        do {
            let link = try await control.createVpcLink(
                name: name, targetArn: arns[0], description: try body.string("description"), tags: tags)
            return .json(202, Shapes.vpcLink(link))
        } catch {
            // The load balancer made for this link goes with it, so a refused link leaves nothing behind.
            if !known { try? await control.deleteLoadBalancer(balancerName) }
            throw error
        }
    }
}
