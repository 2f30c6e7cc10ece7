import Foundation
import Testing

@testable import VTL

/// A variable named among `quietRoots` writes nothing for a reference that finds nothing (API Gateway renders an
/// undefined stage variable as an empty string), while `#if` still sees null and every other variable keeps
/// Velocity's behaviour of writing the reference as it stands.
@Suite struct QuietRootTests {
    let variables: [String: Value] = [
        "stageVariables": .map([("defined", .string("yes"))]), "context": .map([]),
    ]

    @Test func anUndefinedStageVariableWritesNothing() throws {
        let template = try Template(#"{"a": "$stageVariables.defined", "b": "$stageVariables.missing"}"#)
        #expect(try template.render(variables, quietRoots: ["stageVariables"]) == #"{"a": "yes", "b": ""}"#)
        #expect(
            try template.render(variables) == #"{"a": "yes", "b": "$stageVariables.missing"}"#,
            "Velocity writes an undefined reference as it stands")
    }

    @Test func onlyTheNamedRootsAreQuietAndIfStillSeesNull() throws {
        let template = try Template("$context.missing|#if($stageVariables.missing)set#{else}unset#end")
        #expect(try template.render(variables, quietRoots: ["stageVariables"]) == "$context.missing|unset")
    }
}
