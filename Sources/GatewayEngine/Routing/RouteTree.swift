import Foundation
import GatewayModel

/// An API's resource tree, compiled for matching request paths: literal parts first, then a `{param}`, then a
/// greedy `{proxy+}`, as API Gateway picks the most specific resource.
final class RouteNode: Sendable {
    let resource: Resource?
    let literals: [String: RouteNode]
    let variable: (name: String, node: RouteNode)?
    let greedy: (name: String, node: RouteNode)?

    init(
        resource: Resource?, literals: [String: RouteNode], variable: (String, RouteNode)?, greedy: (String, RouteNode)?
    ) {
        self.resource = resource
        self.literals = literals
        self.variable = variable
        self.greedy = greedy
    }

    /// Builds the tree of `resources` under the resource `id`.
    static func build(_ resources: [Resource]) -> RouteNode {
        let children = Dictionary(grouping: resources.filter { $0.parentId != nil }, by: { $0.parentId! })
        func node(for resource: Resource?) -> RouteNode {
            var literals: [String: RouteNode] = [:]
            var variable: (String, RouteNode)?
            var greedy: (String, RouteNode)?
            for child in children[resource?.id ?? ""] ?? [] {
                guard let part = child.pathPart else { continue }
                if let name = PathRules.variableName(part) {
                    if PathRules.isGreedy(part) {
                        greedy = (name, node(for: child))
                    } else {
                        variable = (name, node(for: child))
                    }
                } else {
                    literals[part] = node(for: child)
                }
            }
            return RouteNode(resource: resource, literals: literals, variable: variable, greedy: greedy)
        }
        let root = resources.first { $0.parentId == nil }
        return node(for: root)
    }

    /// The resource a path names, with the path parameters it binds (decoded, and as received); nil when none
    /// matches. A trailing slash is ignored, as API Gateway ignores it. `path` is routed in normal form (see
    /// `RequestPath`).
    ///
    /// With `method`, a resource matches only if it has that method (or ANY), and the search goes on past one that
    /// has not: API Gateway answers `OPTIONS /test`, where `/test` has only POST, from a sibling `/{proxy+}` that
    /// has OPTIONS. When no resource on the way has the method, the path's resource is the match all the same
    /// (so that the caller can say no method matches).
    func match(_ path: Substring, method: String? = nil) -> RouteMatch? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var found = RouteMatch()
        if let method, let resource = match(segments[...], method: method, &found) {
            found.resource = resource
            return found
        }
        found = RouteMatch()
        guard let resource = match(segments[...], method: nil, &found) else { return nil }
        found.resource = resource
        return found
    }

    private func match(_ segments: ArraySlice<Substring>, method: String?, _ found: inout RouteMatch) -> Resource? {
        func serves(_ resource: Resource) -> Bool {
            guard let method else { return true }
            return resource.resourceMethods[method] != nil || resource.resourceMethods["ANY"] != nil
        }
        guard let first = segments.first else {
            if let resource, serves(resource) { return resource }
            return nil
        }
        let rest = segments.dropFirst()
        let decoded = RequestPath.decoded(first)
        if let literal = literals[decoded] {
            var attempt = found
            if let resource = literal.match(rest, method: method, &attempt) {
                found = attempt
                return resource
            }
        }
        if let (name, node) = variable {
            var attempt = found
            attempt.parameters[name] = decoded
            attempt.raw[name] = String(first)
            if let resource = node.match(rest, method: method, &attempt) {
                found = attempt
                return resource
            }
        }
        if let (name, node) = greedy, let resource = node.resource, serves(resource) {
            found.parameters[name] = segments.map(RequestPath.decoded).joined(separator: "/")
            found.raw[name] = segments.joined(separator: "/")
            return resource
        }
        return nil
    }
}

/// What a path matched: the resource and its path parameters, decoded (for mappings and templates) and as the
/// client sent them (for forwarding, so an encoded `/` stays encoded).
struct RouteMatch {
    var resource: Resource!
    var parameters: [String: String] = [:]
    var raw: [String: String] = [:]
}
