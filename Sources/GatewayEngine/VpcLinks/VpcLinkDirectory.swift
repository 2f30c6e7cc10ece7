import GatewayModel
import NIOConcurrencyHelpers

/// The health of every load balancer target, and the choice of a healthy one for each request (round robin).
final class VpcLinkDirectory: Sendable {
    struct LinkFailure: Error {
        var message: String
        var failure: GatewayFailure
    }

    struct BalancerState {
        var targets: [Target]
        var unhealthy: Set<Target> = []
        var next = 0
        /// Why each unhealthy target failed its last check.
        var reasons: [Target: String] = [:]
    }

    private let balancers = NIOLockedValueBox<[String: BalancerState]>([:])

    /// Follows the load balancers of a new configuration, keeping the health of targets that stay.
    func update(_ loadBalancers: [LoadBalancer]) {
        balancers.withLockedValue { states in
            var updated: [String: BalancerState] = [:]
            for balancer in loadBalancers {
                var state = states[balancer.name] ?? BalancerState(targets: balancer.targets)
                state.targets = balancer.targets
                state.unhealthy = state.unhealthy.intersection(balancer.targets)
                updated[balancer.name] = state
            }
            states = updated
        }
    }

    /// Records a health check's outcome; returns whether the target's health changed.
    @discardableResult
    func setHealth(balancer: String, target: Target, healthy: Bool, reason: String? = nil) -> Bool {
        balancers.withLockedValue { states in
            guard var state = states[balancer] else { return false }
            let changed = healthy ? state.unhealthy.remove(target) != nil : state.unhealthy.insert(target).inserted
            state.reasons[target] = healthy ? nil : reason
            states[balancer] = state
            return changed
        }
    }

    /// The healthy targets of a load balancer.
    func healthyTargets(balancer: String) -> [Target] {
        balancers.withLockedValue { states in
            guard let state = states[balancer] else { return [] }
            return state.targets.filter { !state.unhealthy.contains($0) }
        }
    }

    /// Every target of a load balancer with its health and, for an unhealthy one, why.
    func health(balancer: String) -> [(Target, Bool, String?)] {
        balancers.withLockedValue { states in
            guard let state = states[balancer] else { return [] }
            return state.targets.map { ($0, !state.unhealthy.contains($0), state.reasons[$0]) }
        }
    }

    /// The target the next request through a VPC link goes to.
    func target(forLink id: String, snapshot: CompiledSnapshot?) -> Result<Target, LinkFailure> {
        guard let compiled = snapshot?.links[id] else {
            return .failure(
                LinkFailure(message: "Invalid VPC link identifier specified: \(id)", failure: .configurationError))
        }
        guard compiled.link.status == .available else {
            return .failure(
                LinkFailure(
                    message: "VPC link \(id) is \(compiled.link.status.rawValue), not AVAILABLE",
                    failure: .configurationError))
        }
        guard let balancer = compiled.balancer else {
            return .failure(
                LinkFailure(
                    message: "The load balancer of VPC link \(id) no longer exists", failure: .configurationError))
        }
        return balancers.withLockedValue { states in
            guard var state = states[balancer.name] else {
                return .failure(
                    LinkFailure(message: "Unknown load balancer \(balancer.name)", failure: .configurationError))
            }
            let healthy = state.targets.filter { !state.unhealthy.contains($0) }
            guard !healthy.isEmpty else {
                return .failure(
                    LinkFailure(
                        message: "No healthy target behind load balancer \(balancer.name)", failure: .integrationFailure
                    ))
            }
            let chosen = healthy[state.next % healthy.count]
            state.next &+= 1
            states[balancer.name] = state
            return .success(chosen)
        }
    }
}
