import Foundation
import GatewayModel
import Testing

@testable import GatewayEngine

/// The JSON Schema checks of `validateRequestBody`, table-driven.
@Suite struct JSONSchemaTests {
    static let validator = JSONSchemaValidator(models: [
        Model(
            id: "m1", name: "Pet",
            schema: #"""
                {"type": "object", "required": ["name"], "additionalProperties": false,
                 "properties": {
                   "name": {"type": "string", "minLength": 1, "maxLength": 10, "pattern": "^[a-z]+$"},
                   "age": {"type": "integer", "minimum": 0, "exclusiveMaximum": true, "maximum": 100},
                   "kind": {"enum": ["cat", "dog"]},
                   "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                   "owner": {"$ref": "https://apigateway.amazonaws.com/restapis/abc/models/Owner"},
                   "size": {"$ref": "#/definitions/Size"},
                   "id": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                   "note": {"type": ["string", "null"]}
                 },
                 "definitions": {"Size": {"type": "number", "minimum": 0.5}}}
                """#),
        Model(
            id: "m2", name: "Owner",
            schema: #"{"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}"#),
    ])

    @Test(
        arguments: [
            (#"{"name": "rex"}"#, nil),
            (
                #"{"name": "rex", "age": 3, "kind": "dog", "tags": ["a"], "owner": {"email": "x"}, "size": 1, "id": 7, "note": null}"#,
                nil
            ),
            (#"{}"#, #"the body: object has missing required properties (["name"])"#),
            (#"{"name": ""}"#, "/name: string is too short"),
            (#"{"name": "Rex"}"#, #"/name: ECMA 262 regex "^[a-z]+$" does not match input string"#),
            (#"{"name": "rex", "age": 2.5}"#, "/age: instance type (number) does not match any allowed primitive type"),
            (#"{"name": "rex", "age": 100}"#, "/age: numeric instance is greater than the required maximum"),
            (#"{"name": "rex", "kind": "fish"}"#, "/kind: instance value not found in enum"),
            (#"{"name": "rex", "tags": ["a", "b", "c"]}"#, "/tags: array is too long: must have at most 2 elements"),
            (#"{"name": "rex", "owner": {}}"#, #"/owner: object has missing required properties (["email"])"#),
            (#"{"name": "rex", "size": 0.1}"#, "/size: numeric instance is lower than the required minimum"),
            (#"{"name": "rex", "id": true}"#, "/id: instance failed to match at least one required schema among 2"),
            (
                #"{"name": "rex", "colour": "red"}"#,
                #"the body: object instance has properties which are not allowed by the schema (["colour"])"#
            ),
            (#"["rex"]"#, "the body: instance type (array) does not match any allowed primitive type"),
        ] as [(String, String?)])
    func bodiesAgainstTheModel(body: String, expected: String?) throws {
        let value = try #require(JSONValue.parse(Data(body.utf8)))
        #expect(Self.validator.problem(value, model: "Pet") == expected)
    }
}
