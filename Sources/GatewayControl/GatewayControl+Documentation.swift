import Foundation
import GatewayImport
import GatewayModel
import GatewayStore

/// What `PUT /restapis/{id}/documentation/parts` gives back: the ids of the parts it wrote, and its warnings.
public struct DocumentationImportOutcome: Sendable {
    public var ids: [String]
    public var warnings: [String]
}

extension GatewayControl {
    // MARK: Documentation parts

    /// An API's documentation parts, in location order.
    public nonisolated func documentationParts(api: String) throws -> [DocumentationPart] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(DocumentationPart.self, in: .documentationPart, api: api).sorted(by: Self.partOrder)
        }
    }

    public nonisolated func documentationPart(api: String, id: String) throws -> DocumentationPart {
        try read { access in try requireDocumentationPart(id, api: api, access) }
    }

    /// The part `id` names. AWS answers a part of an unknown API as an unknown part (but DeleteDocumentationPart
    /// names the API: it checks the API first).
    nonisolated func requireDocumentationPart(_ id: String, api: String, _ access: StoreAccess) throws
        -> DocumentationPart
    {
        guard try access.one(RestApi.self, in: .restApi, id: api) != nil,
            let part = try access.one(DocumentationPart.self, in: .documentationPart, id: id, api: api)
        else {
            throw GatewayError.notFound("Invalid Documentation part identifier specified")
        }
        return part
    }

    /// Creates a part for a location no other part has.
    public func createDocumentationPart(api: String, location: DocumentationPartLocation, properties: String) throws
        -> DocumentationPart
    {
        let location = try location.normalized().get()
        if let problem = DocumentationPart.problem(inProperties: properties) { throw GatewayError.badRequest(problem) }
        let part = DocumentationPart(id: Identifiers.shortObject(), location: location, properties: properties)
        try write { access in
            _ = try requireApi(api, access)
            let existing = try access.all(DocumentationPart.self, in: .documentationPart, api: api)
            if existing.contains(where: { $0.location == location }) {
                throw GatewayError.conflict("Documentation part already exists for the given location")
            }
            try access.save(part, in: .documentationPart, id: part.id, api: api)
        }
        emit(.documentationPart, .created, id: part.id, api: api)
        return part
    }

    /// Replaces a part's properties (its location stays).
    public func updateDocumentationPart(api: String, id: String, properties: String) throws -> DocumentationPart {
        if let problem = DocumentationPart.problem(inProperties: properties) { throw GatewayError.badRequest(problem) }
        let part = try write { access in
            var part = try requireDocumentationPart(id, api: api, access)
            part.properties = properties
            try access.save(part, in: .documentationPart, id: id, api: api)
            return part
        }
        emit(.documentationPart, .updated, id: id, api: api)
        return part
    }

    public func deleteDocumentationPart(api: String, id: String) throws {
        try write { access in
            _ = try requireApi(api, access)
            _ = try requireDocumentationPart(id, api: api, access)
            _ = try access.delete(from: .documentationPart, id: id, api: api)
        }
        emit(.documentationPart, .deleted, id: id, api: api)
    }

    /// `ImportDocumentationParts`: the parts of a document's `x-amazon-apigateway-documentation`, merged over the
    /// API's (a part for a location that has one replaces its properties) or replacing them all.
    public func importDocumentationParts(
        api: String, document: Data, mode: ImportMode, failOnWarnings: Bool
    ) throws -> DocumentationImportOutcome {
        let imported: [DocumentationPart]
        let warnings: [String]
        do {
            (imported, warnings) = try OpenAPIImporter.readDocumentation(document)
        } catch {
            throw GatewayError.badRequest(error.description)
        }
        if failOnWarnings, let first = warnings.first { throw GatewayError.badRequest("Warning: " + first) }
        let ids = try write { access in
            _ = try requireApi(api, access)
            let current = try access.all(DocumentationPart.self, in: .documentationPart, api: api)
            let parts = Self.lay(imported, over: current, mode: mode)
            try access.deleteAll(from: .documentationPart, api: api)
            for part in parts { try access.save(part, in: .documentationPart, id: part.id, api: api) }
            let written = Set(imported.map(\.location))
            return parts.filter { written.contains($0.location) }.map(\.id)
        }
        emit(.documentationPart, .updated, id: api, api: api)
        return DocumentationImportOutcome(ids: ids, warnings: warnings)
    }

    /// `imported` laid over `current`: parts matched by location keep their id and take the new properties; on
    /// overwrite, parts the import does not name go.
    nonisolated static func lay(_ imported: [DocumentationPart], over current: [DocumentationPart], mode: ImportMode)
        -> [DocumentationPart]
    {
        let byLocation = Dictionary(current.map { ($0.location, $0) }, uniquingKeysWith: { first, _ in first })
        let importedLocations = Set(imported.map(\.location))
        var result = mode == .merge ? current.filter { !importedLocations.contains($0.location) } : []
        for part in imported {
            var placed = part
            placed.id = byLocation[part.location]?.id ?? Identifiers.shortObject()
            result.append(placed)
        }
        return result.sorted(by: partOrder)
    }

    nonisolated static func partOrder(_ a: DocumentationPart, _ b: DocumentationPart) -> Bool {
        let left = [
            a.location.type.rawValue, a.location.path ?? "", a.location.method ?? "", a.location.statusCode ?? "",
            a.location.name ?? "",
        ]
        let right = [
            b.location.type.rawValue, b.location.path ?? "", b.location.method ?? "", b.location.statusCode ?? "",
            b.location.name ?? "",
        ]
        return left.lexicographicallyPrecedes(right)
    }

    // MARK: Documentation versions

    public nonisolated func documentationVersions(api: String) throws -> [DocumentationVersion] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(DocumentationVersion.self, in: .documentationVersion, api: api).sorted {
                $0.createdDate < $1.createdDate
            }
        }
    }

    public nonisolated func documentationVersion(api: String, version: String) throws -> DocumentationVersion {
        try read { access in try requireDocumentationVersion(version, api: api, access) }
    }

    nonisolated func requireDocumentationVersion(_ version: String, api: String, _ access: StoreAccess) throws
        -> DocumentationVersion
    {
        _ = try requireApi(api, access)
        guard let found = try access.one(DocumentationVersion.self, in: .documentationVersion, id: version, api: api)
        else {
            throw GatewayError.notFound("Invalid Documentation version identifier specified")
        }
        return found
    }

    /// Publishes the API's current parts as `version`; with `stage`, that stage publishes it.
    public func createDocumentationVersion(api: String, version: String, description: String?, stage: String?) throws
        -> DocumentationVersion
    {
        guard !version.isEmpty else { throw GatewayError.badRequest("Documentation version must not be empty") }
        let created = try write { access in
            _ = try requireApi(api, access)
            if try access.one(DocumentationVersion.self, in: .documentationVersion, id: version, api: api) != nil {
                throw GatewayError.conflict("Documentation version \(version) already exists")
            }
            let parts = try access.all(DocumentationPart.self, in: .documentationPart, api: api).sorted(
                by: Self.partOrder)
            let created = DocumentationVersion(version: version, description: description, parts: parts)
            if let stage {
                guard var found = try access.one(Stage.self, in: .stage, id: stage, api: api) else {
                    throw GatewayError.notFound("Invalid Stage identifier specified")
                }
                found.documentationVersion = version
                try access.save(found, in: .stage, id: stage, api: api)
            }
            try access.save(created, in: .documentationVersion, id: version, api: api)
            return created
        }
        emit(.documentationVersion, .created, id: version, api: api)
        return created
    }

    public func updateDocumentationVersion(api: String, version: String, description: String?) throws
        -> DocumentationVersion
    {
        let updated = try write { access in
            var found = try requireDocumentationVersion(version, api: api, access)
            found.description = description
            try access.save(found, in: .documentationVersion, id: version, api: api)
            return found
        }
        emit(.documentationVersion, .updated, id: version, api: api)
        return updated
    }

    /// Deletes a version no stage publishes.
    public func deleteDocumentationVersion(api: String, version: String) throws {
        try write { access in
            _ = try requireDocumentationVersion(version, api: api, access)
            if let stage = try access.all(Stage.self, in: .stage, api: api).first(where: {
                $0.documentationVersion == version
            }) {
                throw GatewayError.conflict(
                    "Cannot delete documentation version \(version): the stage \(stage.stageName) publishes it")
            }
            _ = try access.delete(from: .documentationVersion, id: version, api: api)
        }
        emit(.documentationVersion, .deleted, id: version, api: api)
    }
}
