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

    /// The resource a path names, with the path parameters it binds; nil when none matches.
    /// A trailing slash is ignored, as API Gateway ignores it.
    func match(_ path: Substring) -> (Resource, [String: String])? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var parameters: [String: String] = [:]
        guard let resource = match(segments[...], &parameters) else { return nil }
        return (resource, parameters)
    }

    /// A path segment percent-decoded (only when it has a `%`).
    static func decode(_ segment: Substring) -> String {
        guard segment.utf8.contains(UInt8(ascii: "%")) else { return String(segment) }
        return String(segment).removingPercentEncoding ?? String(segment)
    }

    private func match(_ segments: ArraySlice<Substring>, _ parameters: inout [String: String]) -> Resource? {
        guard let first = segments.first else {
            if let resource { return resource }
            return nil
        }
        let rest = segments.dropFirst()
        let decoded = RouteNode.decode(first)
        if let literal = literals[decoded], let found = literal.match(rest, &parameters) { return found }
        if let (name, node) = variable {
            var attempt = parameters
            attempt[name] = decoded
            if let found = node.match(rest, &attempt) {
                parameters = attempt
                return found
            }
        }
        if let (name, node) = greedy, let resource = node.resource {
            parameters[name] = segments.map(RouteNode.decode).joined(separator: "/")
            return resource
        }
        return nil
    }
}
