import GatewayModel
import Testing

@testable import GatewayEngine

/// Which resource a request reaches.
@Suite struct RoutingTests {
    /// `/`, `/test` with POST only, `/{proxy+}` with OPTIONS, `/items/{id}` with GET and `/items/new` with PUT.
    func tree() -> RouteNode {
        func resource(_ id: String, _ parent: String?, _ part: String?, _ path: String, _ verbs: [String]) -> Resource {
            var resource = Resource(id: id, parentId: parent, pathPart: part, path: path)
            for verb in verbs { resource.resourceMethods[verb] = Method(httpMethod: verb) }
            return resource
        }
        return RouteNode.build([
            resource("root", nil, nil, "/", []),
            resource("test", "root", "test", "/test", ["POST"]),
            resource("proxy", "root", "{proxy+}", "/{proxy+}", ["OPTIONS"]),
            resource("items", "root", "items", "/items", []),
            resource("item", "items", "{id}", "/items/{id}", ["GET"]),
            resource("new", "items", "new", "/items/new", ["PUT"]),
        ])
    }

    @Test func aResourceWithoutTheMethodGivesWayToASiblingThatHasIt() throws {
        let routes = tree()
        // As AWS answers: OPTIONS /test comes from the greedy sibling, POST /test from /test itself.
        let options = try #require(routes.match("/test", method: "OPTIONS"))
        #expect(options.resource.id == "proxy")
        #expect(options.parameters == ["proxy": "test"])
        #expect(try #require(routes.match("/test", method: "POST")).resource.id == "test")
        // A literal without the method gives way to a variable sibling that has it, with its parameter bound.
        let get = try #require(routes.match("/items/new", method: "GET"))
        #expect(get.resource.id == "item")
        #expect(get.parameters == ["id": "new"])
        #expect(try #require(routes.match("/items/new", method: "PUT")).resource.id == "new")
        // No resource on the way has DELETE: the path's own resource, so the caller can say no method matches.
        #expect(try #require(routes.match("/test", method: "DELETE")).resource.id == "test")
    }
}
