import Foundation
import GatewayModel
import OrderedCollections

/// Reads Swagger 2.0, OpenAPI 3.0 and OpenAPI 3.1 documents (JSON or YAML) into an `ImportedDefinition`,
/// the way API Gateway's importer maps them.
///
/// A tolerant reader over the parsed tree rather than a strict OpenAPI model: API Gateway accepts documents
/// that strict parsers refuse (no `info.version`, extension fields everywhere, Swagger 2.0), and a problem
/// must be reported with its JSON pointer and line.
public struct OpenAPIImporter {
    /// Imports `data` for the API `apiId` (model references are written with it).
    public static func read(_ data: Data, apiId: String, options: ImportOptions = .init()) throws(ImportError)
        -> ImportedDefinition
    {
        if data.count > ImportOptions.maximumDocumentSize {
            throw ImportError(
                "The document is \(Self.megabytes(data.count)) MB; API Gateway imports definitions of at most 6 MB")
        }
        let parser = try DocumentParser(data: data)
        let root = try parser.parse()
        var importer = try OpenAPIImporter(root: root, parser: parser, apiId: apiId, options: options)
        return try importer.run()
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1_048_576) }

    let root: DocValue
    let members: OrderedDictionary<String, DocValue>
    let parser: DocumentParser
    let apiId: String
    let options: ImportOptions
    let version: SpecVersion
    var errors: [ImportProblem] = []
    var warnings: [ImportProblem] = []
    /// How many of the warnings are Gatehouse's own limitations (see `warn`).
    var limitations = 0
    var modelNames: Set<String> = []

    init(root: DocValue, parser: DocumentParser, apiId: String, options: ImportOptions) throws(ImportError) {
        guard case .object(let members) = root else {
            throw ImportError("The document must be an object at the top level, not \(root.typeName)", pointer: "")
        }
        self.root = root
        self.members = members
        self.parser = parser
        self.apiId = apiId
        self.options = options
        self.version = try OpenAPIImporter.detectVersion(members, parser: parser)
    }

    static func detectVersion(_ members: OrderedDictionary<String, DocValue>, parser: DocumentParser)
        throws(ImportError)
        -> SpecVersion
    {
        let swagger = members["swagger"]
        let openapi = members["openapi"]
        if swagger != nil && openapi != nil {
            throw ImportError(
                "The document has both 'swagger' and 'openapi' version fields; keep the one its contents follow",
                pointer: "/openapi", line: parser.line(of: "/openapi"))
        }
        if let swagger {
            let text = swagger.scalarText ?? ""
            guard text == "2.0" || text == "2" else {
                throw ImportError(
                    "Unsupported Swagger version '\(text)': API Gateway imports Swagger 2.0 and OpenAPI 3.0",
                    pointer: "/swagger", line: parser.line(of: "/swagger"))
            }
            return .swagger2
        }
        if let openapi {
            let text = openapi.scalarText ?? ""
            if text.hasPrefix("3.0") { return .openAPI30 }
            if text.hasPrefix("3.1") { return .openAPI31 }
            throw ImportError(
                "Unsupported OpenAPI version '\(text)': Gatehouse imports Swagger 2.0, OpenAPI 3.0 and 3.1",
                pointer: "/openapi", line: parser.line(of: "/openapi"))
        }
        throw ImportError(
            "The document has neither a 'swagger' nor an 'openapi' field: it is not a Swagger or OpenAPI definition",
            pointer: "")
    }

    // MARK: Problems

    mutating func error(_ message: String, at pointer: String) {
        errors.append(ImportProblem(message: message, pointer: pointer, line: parser.line(of: pointer)))
    }

    /// Records a warning. A `limitation` is something the document says that Gatehouse does not keep (API Gateway
    /// would); it is reported but does not make `failOnWarnings` refuse the document.
    mutating func warn(_ message: String, at pointer: String, limitation: Bool = false) {
        if limitation { limitations += 1 }
        warnings.append(ImportProblem(message: message, pointer: pointer, line: nil))
    }

    /// The value at `key` of `object` if it has `expected` type; records an error if it has another.
    mutating func member<T>(
        _ object: OrderedDictionary<String, DocValue>, _ key: String, at pointer: String, as expected: String,
        _ extract: (DocValue) -> T?
    ) -> T? {
        guard let value = object[key], value != .null else { return nil }
        if let result = extract(value) { return result }
        error("'\(key)' must be \(expected), not \(value.typeName)", at: JSONPointer.append(pointer, key))
        return nil
    }

    mutating func string(_ object: OrderedDictionary<String, DocValue>, _ key: String, at pointer: String) -> String? {
        member(object, key, at: pointer, as: "a string") { $0.stringValue }
    }

    mutating func object(_ object: OrderedDictionary<String, DocValue>, _ key: String, at pointer: String)
        -> OrderedDictionary<String, DocValue>?
    {
        member(object, key, at: pointer, as: "an object") { $0.objectValue }
    }

    mutating func array(_ object: OrderedDictionary<String, DocValue>, _ key: String, at pointer: String) -> [DocValue]?
    {
        member(object, key, at: pointer, as: "an array") { $0.arrayValue }
    }

    mutating func bool(_ object: OrderedDictionary<String, DocValue>, _ key: String, at pointer: String) -> Bool? {
        member(object, key, at: pointer, as: "true or false") { value in
            if let flag = value.boolValue { return flag }
            switch value.stringValue?.lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        }
    }

    /// A map of strings to strings (templates, parameter mappings).
    mutating func stringMap(_ object: OrderedDictionary<String, DocValue>, _ key: String, at pointer: String)
        -> [String: String]
    {
        guard let map = self.object(object, key, at: pointer) else { return [:] }
        var result: [String: String] = [:]
        for (name, value) in map {
            if let text = value.scalarText {
                result[name] = text
            } else {
                error("'\(name)' must be a string, not \(value.typeName)", at: JSONPointer.append(pointer, key, name))
            }
        }
        return result
    }

    // MARK: References

    /// Follows `$ref`s from `value` to what they name. Records an error for a reference to nowhere or a loop, and a
    /// warning for an external one; returns nil then.
    mutating func resolve(_ value: DocValue, at pointer: String) -> (value: DocValue, pointer: String)? {
        var current = value
        var currentPointer = pointer
        var seen: Set<String> = []
        while case .object(let object) = current, let reference = object["$ref"] {
            guard let target = reference.stringValue else {
                error(
                    "'$ref' must be a string, not \(reference.typeName)", at: JSONPointer.append(currentPointer, "$ref")
                )
                return nil
            }
            guard target.hasPrefix("#") else {
                warn(
                    "External reference '\(target)' is not followed: Gatehouse imports one self-contained document",
                    at: JSONPointer.append(currentPointer, "$ref"))
                return nil
            }
            let targetPointer = String(target.dropFirst()).removingPercentEncoding ?? String(target.dropFirst())
            guard seen.insert(targetPointer).inserted else {
                error("The reference '\(target)' leads back to itself", at: JSONPointer.append(currentPointer, "$ref"))
                return nil
            }
            guard let next = JSONPointer.resolve(targetPointer, in: root) else {
                error(
                    "The reference '\(target)' points to nothing in the document",
                    at: JSONPointer.append(currentPointer, "$ref"))
                return nil
            }
            current = next
            currentPointer = targetPointer
        }
        return (current, currentPointer)
    }

    /// The model a schema names by `$ref` (`#/definitions/Pet`, `#/components/schemas/Pet`), or nil for an inline
    /// schema.
    mutating func modelName(ofSchema schema: DocValue, at pointer: String) -> String? {
        guard let target = schema["$ref"]?.stringValue else { return nil }
        guard let name = modelName(ofReference: target) else {
            if target.hasPrefix("#") {
                _ = resolve(schema, at: pointer)
            } else {
                warn(
                    "External reference '\(target)' is not followed: Gatehouse imports one self-contained document",
                    at: JSONPointer.append(pointer, "$ref"))
            }
            return nil
        }
        guard modelNames.contains(name) else {
            error(
                "The reference '\(target)' names a model that the document does not define",
                at: JSONPointer.append(pointer, "$ref"))
            return nil
        }
        return name
    }

    /// The model name of a reference to the document's schemas, or nil.
    func modelName(ofReference reference: String) -> String? {
        let prefix = version == .swagger2 ? "#/definitions/" : "#/components/schemas/"
        guard reference.hasPrefix(prefix) else { return nil }
        let name = JSONPointer.unescape(reference.dropFirst(prefix.count))
        return name.contains("/") ? nil : name
    }

    // MARK: The run

    mutating func run() throws(ImportError) -> ImportedDefinition {
        checkVersionFields()
        let info = object(members, "info", at: "")
        let title = info.flatMap { string($0, "title", at: "/info") }
        let description = info.flatMap { string($0, "description", at: "/info") }
        let apiVersion = info.flatMap { info in member(info, "version", at: "/info", as: "a string") { $0.scalarText } }

        let models = readModels()
        let validators = readRequestValidators()
        let defaultValidator = string(members, "x-amazon-apigateway-request-validator", at: "")
        if let defaultValidator, validators[defaultValidator] == nil {
            error(
                "The request validator '\(defaultValidator)' is not defined in x-amazon-apigateway-request-validators",
                at: "/x-amazon-apigateway-request-validator")
        }
        let schemes = readSecuritySchemes()
        if members["security"] != nil { _ = array(members, "security", at: "") }
        var paths = readPaths(schemes: schemes, validators: validators, defaultValidator: defaultValidator)
        if paths.isEmpty && errors.isEmpty {
            var message = "The document defines no paths, so there is nothing to import: API Gateway imports paths only"
            if let webhooks = members["webhooks"]?.objectValue, !webhooks.isEmpty {
                message +=
                    "; its webhooks (\(webhooks.keys.joined(separator: ", "))) describe calls the API makes, not resources"
            }
            throw ImportError(message, pointer: members["paths"] == nil ? "" : "/paths")
        }
        if members["webhooks"] != nil && !paths.isEmpty {
            warn("'webhooks' are not imported: API Gateway has no equivalent", at: "/webhooks")
        }
        paths = applyBasePath(to: paths)

        let apiKeySource = readApiKeySource()
        let binaryMediaTypes = readBinaryMediaTypes()
        let minimumCompressionSize = readMinimumCompressionSize()
        let (endpoint, disableExecuteApi) = readEndpointConfiguration()
        let policy = readPolicy()
        let gatewayResponses = readGatewayResponses()
        let documentationParts = options.ignoreDocumentation ? [] : readDocumentationParts()
        for key in ["x-amazon-apigateway-authorizer", "x-amazon-apigateway-integrations"] where members[key] != nil {
            warn("'\(key)' is not imported by Gatehouse", at: JSONPointer.append("", key), limitation: true)
        }

        if !errors.isEmpty { throw ImportError(problems: errors) }
        if options.failOnWarnings && warnings.count > limitations {
            throw ImportError(
                problems: warnings.map {
                    ImportProblem(message: "Warning: " + $0.message, pointer: $0.pointer, line: $0.line)
                })
        }
        let located = warnings.map {
            ImportProblem(message: $0.message, pointer: $0.pointer, line: $0.pointer.flatMap(parser.line(of:)))
        }
        return ImportedDefinition(
            version: version, title: title, description: description, apiVersion: apiVersion,
            apiKeySource: apiKeySource, binaryMediaTypes: binaryMediaTypes,
            minimumCompressionSize: minimumCompressionSize, endpointConfiguration: endpoint,
            disableExecuteApiEndpoint: disableExecuteApi, policy: policy, paths: paths, models: models,
            requestValidators: validators, gatewayResponses: gatewayResponses,
            authorizers: schemes.values.compactMap(\.authorizer).sorted { $0.name < $1.name },
            documentationParts: documentationParts, warnings: located)
    }

    /// Fields that belong to the other major version are refused, as a sign of a document mixed up between them.
    mutating func checkVersionFields() {
        let swaggerOnly = [
            "definitions", "securityDefinitions", "host", "basePath", "schemes", "consumes", "produces",
            "parameters", "responses", "securityDefinitions",
        ]
        let openAPIOnly = ["components", "servers", "webhooks"]
        let foreign = version == .swagger2 ? openAPIOnly : swaggerOnly
        let other = version == .swagger2 ? "an OpenAPI 3" : "a Swagger 2.0"
        for key in foreign where members[key] != nil {
            error(
                "'\(key)' is \(other) field and is not valid in \(version == .swagger2 ? "a Swagger 2.0" : "an OpenAPI 3") document",
                at: JSONPointer.append("", key))
        }
        if version == .openAPI30 && members["webhooks"] != nil {
            error("'webhooks' is an OpenAPI 3.1 field and is not valid in an OpenAPI 3.0 document", at: "/webhooks")
        }
        if version != .openAPI31 && members["paths"] == nil {
            error("The document has no 'paths' object, which \(version.rawValue) requires", at: "")
        }
    }
}
