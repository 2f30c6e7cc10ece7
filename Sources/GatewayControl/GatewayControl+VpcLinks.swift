import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// API Gateway's limit of VPC links per account and region.
    public static let maximumVpcLinks = 20

    // MARK: Load balancers

    /// Creates a private load balancer over `targets`.
    public func createLoadBalancer(name: String, targets: [Target], dnsName: String? = nil) throws -> LoadBalancer {
        if let problem = LoadBalancer.problem(inName: name) { throw GatewayError.badRequest(problem) }
        guard !targets.isEmpty else {
            throw GatewayError.badRequest("A load balancer needs at least one target (host:port)")
        }
        guard Set(targets).count == targets.count else { throw GatewayError.badRequest("A target is listed twice") }
        let balancer = LoadBalancer(name: name, dnsName: dnsName, targets: targets, region: region)
        try write { access in
            if try access.one(LoadBalancer.self, in: .loadBalancer, id: name) != nil {
                throw GatewayError.conflict("A load balancer named \(name) already exists")
            }
            try access.save(balancer, in: .loadBalancer, id: name)
        }
        emit(.loadBalancer, .created, id: name)
        return balancer
    }

    /// Every load balancer, by name.
    public nonisolated func loadBalancers() throws -> [LoadBalancer] {
        try read { try $0.all(LoadBalancer.self, in: .loadBalancer) }.sorted { $0.name < $1.name }
    }

    /// One load balancer.
    public nonisolated func loadBalancer(_ name: String) throws -> LoadBalancer {
        try read { access in
            guard let balancer = try access.one(LoadBalancer.self, in: .loadBalancer, id: name) else {
                throw GatewayError.notFound("Load balancer '\(name)' not found")
            }
            return balancer
        }
    }

    /// Replaces a load balancer's targets.
    public func updateLoadBalancer(_ name: String, targets: [Target]) throws -> LoadBalancer {
        guard !targets.isEmpty else {
            throw GatewayError.badRequest("A load balancer needs at least one target (host:port)")
        }
        let balancer = try write { access in
            guard var balancer = try access.one(LoadBalancer.self, in: .loadBalancer, id: name) else {
                throw GatewayError.notFound("Load balancer '\(name)' not found")
            }
            balancer.targets = targets
            try access.save(balancer, in: .loadBalancer, id: name)
            return balancer
        }
        emit(.loadBalancer, .updated, id: name)
        return balancer
    }

    /// Deletes a load balancer no VPC link targets.
    public func deleteLoadBalancer(_ name: String) throws {
        try write { access in
            guard let balancer = try access.one(LoadBalancer.self, in: .loadBalancer, id: name) else {
                throw GatewayError.notFound("Load balancer '\(name)' not found")
            }
            if let link = try access.all(VpcLink.self, in: .vpcLink).first(where: {
                $0.balancerName == balancer.name
            }) {
                throw GatewayError.badRequest(
                    "Load balancer \(name) is the target of VPC link \(link.id); delete the link first")
            }
            try access.delete(from: .loadBalancer, id: name)
        }
        emit(.loadBalancer, .deleted, id: name)
    }

    // MARK: VPC links

    /// Creates a VPC link to the load balancer named by `targetArn` (`…:loadbalancer/net/NAME/…`). The link is
    /// PENDING until a health check reaches a target.
    public func createVpcLink(name: String, targetArn: String, description: String? = nil, tags: [String: String] = [:])
        throws -> VpcLink
    {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GatewayError.badRequest("VPC link name must not be empty")
        }
        guard let balancerName = LoadBalancer.name(fromArn: targetArn) else {
            throw GatewayError.badRequest(
                "Invalid target ARN '\(targetArn)': a VPC link targets a network load balancer, arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID"
            )
        }
        let link = try write { access in
            guard try access.one(LoadBalancer.self, in: .loadBalancer, id: balancerName) != nil else {
                throw GatewayError.badRequest(
                    "No load balancer named \(balancerName): create it first (gatehouse load-balancer create \(balancerName) --target HOST:PORT)"
                )
            }
            let links = try access.all(VpcLink.self, in: .vpcLink)
            if links.count >= GatewayControl.maximumVpcLinks {
                throw GatewayError(.limitExceeded, "Limit of \(GatewayControl.maximumVpcLinks) VPC links reached")
            }
            if let other = links.first(where: {
                $0.balancerName == balancerName
            }) {
                throw GatewayError.conflict(
                    "NLB is already associated with another VPC Endpoint Service (VPC link \(other.id))")
            }
            let link = VpcLink(
                id: Identifiers.vpcLink(), name: name, description: description, targetArns: [targetArn], tags: tags)
            try access.save(link, in: .vpcLink, id: link.id)
            return link
        }
        emit(.vpcLink, .created, id: link.id)
        return link
    }

    /// Every VPC link, by name.
    public nonisolated func vpcLinks() throws -> [VpcLink] {
        try read { try $0.all(VpcLink.self, in: .vpcLink) }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// One VPC link.
    public nonisolated func vpcLink(_ id: String) throws -> VpcLink {
        try read { access in try requireLink(id, access) }
    }

    nonisolated func requireLink(_ id: String, _ access: StoreAccess) throws -> VpcLink {
        guard let link = try access.one(VpcLink.self, in: .vpcLink, id: id) else {
            throw GatewayError.notFound("Invalid Vpc Link identifier specified")
        }
        return link
    }

    /// The load balancer a VPC link targets.
    public nonisolated func loadBalancer(forLink id: String) throws -> LoadBalancer {
        try read { access in
            let link = try requireLink(id, access)
            guard let name = link.balancerName,
                let balancer = try access.one(LoadBalancer.self, in: .loadBalancer, id: name)
            else {
                throw GatewayError.notFound("The load balancer of VPC link \(id) no longer exists")
            }
            return balancer
        }
    }

    /// Changes a VPC link's name, description or tags (UpdateVpcLink, TagResource); its id, target and status stay.
    public func updateVpcLink(_ id: String, _ change: @Sendable (inout VpcLink) throws -> Void) throws -> VpcLink {
        let link = try write { access in
            var link = try requireLink(id, access)
            let original = link
            try change(&link)
            link.id = original.id
            link.targetArns = original.targetArns
            link.status = original.status
            link.statusMessage = original.statusMessage
            guard !link.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw GatewayError.badRequest("VPC link name must not be empty")
            }
            try access.save(link, in: .vpcLink, id: id)
            return link
        }
        emit(.vpcLink, .updated, id: id)
        return link
    }

    /// Records the outcome of a VPC link's health check.
    /// A status the state already holds is not written again: with several nodes checking the same targets, the
    /// first to see a change writes it and the others find it there.
    public func setVpcLinkStatus(_ id: String, status: VpcLinkStatus, message: String?) throws -> VpcLink {
        let link: VpcLink
        do {
            link = try write { access in
                var link = try requireLink(id, access)
                guard link.status != status || link.statusMessage != message else { throw Unchanged(link: link) }
                link.status = status
                link.statusMessage = message
                try access.save(link, in: .vpcLink, id: id)
                return link
            }
        } catch let unchanged as Unchanged {
            return unchanged.link
        }
        emit(.vpcLink, .updated, id: id)
        return link
    }

    /// Rolls back a write that would change nothing (no new generation, no event).
    private struct Unchanged: Error {
        var link: VpcLink
    }

    /// Deletes a VPC link that no method of any API's working copy names.
    public func deleteVpcLink(_ id: String) throws {
        try write { access in
            _ = try requireLink(id, access)
            for api in try access.all(RestApi.self, in: .restApi) {
                for resource in try access.all(Resource.self, in: .resource, api: api.id) {
                    for method in resource.sortedMethods where method.methodIntegration?.connectionId == id {
                        throw GatewayError.badRequest(
                            "VPC link \(id) is still in use by \(method.httpMethod) \(resource.path) of API \(api.id)")
                    }
                }
            }
            try access.delete(from: .vpcLink, id: id)
        }
        emit(.vpcLink, .deleted, id: id)
    }
}

extension GatewayControl {
    /// Makes a method an HTTP proxy through a VPC link: the endpoint URL is the link's load balancer DNS name
    /// followed by the resource path, as the walkthrough sets it up.
    public func integrateThroughVpcLink(api: String, resource: Resource, httpMethod: String, link: String) throws
        -> Integration
    {
        let balancer = try loadBalancer(forLink: link)
        return try putIntegration(
            api: api, resource: resource.id, httpMethod: httpMethod,
            integration: Integration(
                type: .httpProxy, httpMethod: httpMethod, uri: "http://\(balancer.dnsName)\(resource.path)",
                connectionType: .vpcLink, connectionId: link))
    }

    /// Makes every method of an API an HTTP proxy through a VPC link; returns how many methods it set.
    @discardableResult
    public func integrateAllThroughVpcLink(api: String, link: String) throws -> Int {
        var count = 0
        for resource in try resources(api: api) {
            for method in resource.sortedMethods {
                _ = try integrateThroughVpcLink(api: api, resource: resource, httpMethod: method.httpMethod, link: link)
                count += 1
            }
        }
        return count
    }

    /// Makes every method of an API that has no integration an HTTP proxy through a VPC link, in one transaction
    /// (all of them or, on any error, none); returns `METHOD /path` of each method it set.
    @discardableResult
    public func integrateUnintegratedThroughVpcLink(api: String, link: String) throws -> [String] {
        let balancer = try loadBalancer(forLink: link)
        let set = try write { access -> [String] in
            _ = try requireApi(api, access)
            var set: [String] = []
            for var resource in try access.all(Resource.self, in: .resource, api: api).sorted(by: { $0.path < $1.path })
            {
                var changed = false
                for method in resource.sortedMethods where method.methodIntegration == nil {
                    resource.resourceMethods[method.httpMethod]?.methodIntegration = Integration(
                        type: .httpProxy, httpMethod: method.httpMethod,
                        uri: "http://\(balancer.dnsName)\(resource.path)", connectionType: .vpcLink,
                        connectionId: link, cacheNamespace: resource.id)
                    set.append("\(method.httpMethod) \(resource.path)")
                    changed = true
                }
                if changed { try access.save(resource, in: .resource, id: resource.id, api: api) }
            }
            return set
        }
        if !set.isEmpty { emit(.integration, .updated, id: api, api: api) }
        return set
    }
}
