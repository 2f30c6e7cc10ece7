import Foundation
import GatewayModel
import OrderedCollections

extension OpenAPIImporter {
    /// The documentation parts of a document alone, for `ImportDocumentationParts`: the parts and the warnings.
    public static func readDocumentation(_ data: Data) throws(ImportError) -> ([DocumentationPart], [String]) {
        if data.count > ImportOptions.maximumDocumentSize {
            throw ImportError(
                "The document is \(Self.megabytes(data.count)) MB; API Gateway imports definitions of at most 6 MB")
        }
        // A document that cannot be read as one is AWS's "Unable to build importer", then what is wrong and where.
        var importer: OpenAPIImporter
        do {
            let parser = try DocumentParser(data: data)
            let root = try parser.parse()
            importer = try OpenAPIImporter(root: root, parser: parser, apiId: "", options: .init())
        } catch {
            throw ImportError("Unable to build importer with provided input. " + error.description)
        }
        let parts = importer.readDocumentationParts()
        if !importer.errors.isEmpty { throw ImportError(problems: importer.errors) }
        return (parts, importer.warnings.map(\.description))
    }

    /// `x-amazon-apigateway-documentation`: `{version, createdDate, documentationParts: [{location, properties}]}`,
    /// each location checked as API Gateway checks it, the properties kept as JSON text.
    mutating func readDocumentationParts() -> [DocumentationPart] {
        let key = "x-amazon-apigateway-documentation"
        guard let documentation = object(members, key, at: "") else { return [] }
        let pointer = "/" + key
        guard let list = array(documentation, "documentationParts", at: pointer) else { return [] }
        var parts: [DocumentationPart] = []
        var seen: Set<DocumentationPartLocation> = []
        for (index, value) in list.enumerated() {
            let partPointer = "\(pointer)/documentationParts/\(index)"
            guard let part = value.objectValue else {
                error("A documentation part must be an object, not \(value.typeName)", at: partPointer)
                continue
            }
            guard let location = object(part, "location", at: partPointer) else {
                error("A documentation part needs a 'location'", at: partPointer)
                continue
            }
            let locationPointer = JSONPointer.append(partPointer, "location")
            guard let typeText = string(location, "type", at: locationPointer) else {
                error("A documentation part's location needs a 'type'", at: locationPointer)
                continue
            }
            guard let type = DocumentationPartType(rawValue: typeText.uppercased()) else {
                error(
                    "Invalid documentation part type '\(typeText)': must be one of \(DocumentationPartType.allCases.map(\.rawValue).joined(separator: ", "))",
                    at: JSONPointer.append(locationPointer, "type"))
                continue
            }
            let given = DocumentationPartLocation(
                type: type, path: string(location, "path", at: locationPointer),
                method: string(location, "method", at: locationPointer),
                statusCode: location["statusCode"].flatMap(\.scalarText),
                name: string(location, "name", at: locationPointer))
            let normalized: DocumentationPartLocation
            switch given.normalized() {
            case .success(let value): normalized = value
            case .failure(let problem):
                error(problem.message, at: locationPointer)
                continue
            }
            guard seen.insert(normalized).inserted else {
                error("Two documentation parts have the same location", at: locationPointer)
                continue
            }
            let properties = part["properties"] ?? .object([:])
            guard properties.objectValue != nil else {
                error(
                    "A documentation part's properties must be an object, not \(properties.typeName)",
                    at: JSONPointer.append(partPointer, "properties"))
                continue
            }
            parts.append(
                DocumentationPart(
                    id: "", location: normalized, properties: DocumentWriter.json(properties, pretty: false)))
        }
        return parts
    }
}
