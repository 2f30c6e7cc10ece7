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
    func match(_ path: Substring) -> RouteMatch? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var found = RouteMatch()
        guard let resource = match(segments[...], &found) else { return nil }
        found.resource = resource
        return found
    }

    private func match(_ segments: ArraySlice<Substring>, _ found: inout RouteMatch) -> Resource? {
        guard let first = segments.first else {
            if let resource { return resource }
            return nil
        }
        let rest = segments.dropFirst()
        let decoded = RequestPath.decoded(first)
        if let literal = literals[decoded], let resource = literal.match(rest, &found) { return resource }
        if let (name, node) = variable {
            var attempt = found
            attempt.parameters[name] = decoded
            attempt.raw[name] = String(first)
            if let resource = node.match(rest, &attempt) {
                found = attempt
                return resource
            }
        }
        if let (name, node) = greedy, let resource = node.resource {
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
