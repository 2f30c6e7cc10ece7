import Foundation
import GatewayImport
import GatewayModel
import GatewayStore

/// What an import did.
public struct ImportOutcome: Sendable {
    public var api: RestApi
    public var version: SpecVersion
    public var resourceCount: Int
    public var methodCount: Int
    public var warnings: [ImportProblem]
}

/// How an import treats an existing API.
public enum ImportMode: String, Sendable, CaseIterable {
    /// Methods of the document replace those of the same name; everything else is kept.
    case merge
    /// The API becomes exactly what the document says.
    case overwrite
}

extension GatewayControl {
    /// The most REST APIs one state holds (API Gateway's regional quota).
    public static let maximumApis = 600

    /// Creates an empty API with its root resource and API Gateway's two default models, `Empty` and `Error`.
    public func createRestApi(
        name: String, description: String? = nil, endpointType: EndpointType = .edge,
        apiKeySource: ApiKeySource = .header, binaryMediaTypes: [String] = [], version: String? = nil,
        tags: [String: String] = [:], id chosenId: String? = nil
    ) throws -> RestApi {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GatewayError.badRequest("The API name must not be empty")
        }
        if let chosenId,
            chosenId.isEmpty || !chosenId.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        {
            throw GatewayError.badRequest("Invalid API id '\(chosenId)': letters, digits, '-' and '_' only")
        }
        let root = Resource(id: Identifiers.rootResource(), parentId: nil, pathPart: nil, path: "/")
        let api = RestApi(
            id: chosenId ?? Identifiers.restApi(), name: name, description: description, version: version,
            endpointConfiguration: .init(types: [endpointType]), apiKeySource: apiKeySource,
            binaryMediaTypes: binaryMediaTypes, rootResourceId: root.id, tags: tags)
        try write { access in
            try checkApiQuota(access)
            if chosenId != nil, try access.one(RestApi.self, in: .restApi, id: api.id) != nil {
                throw GatewayError.conflict("An API with id \(api.id) already exists")
            }
            try access.save(api, in: .restApi, id: api.id)
            try access.save(root, in: .resource, id: root.id, api: api.id)
            for model in Model.defaults() { try access.save(model: model, api: api.id) }
        }
        emit(.restApi, .created, id: api.id, api: api.id)
        return api
    }

    nonisolated func checkApiQuota(_ access: StoreAccess) throws {
        if try access.all(RestApi.self, in: .restApi).count >= GatewayControl.maximumApis {
            throw GatewayError(.limitExceeded, "Limit of \(GatewayControl.maximumApis) REST APIs reached")
        }
    }

    /// Every API, by name.
    public nonisolated func restApis() throws -> [RestApi] {
        try read { try $0.all(RestApi.self, in: .restApi) }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// One API.
    public nonisolated func restApi(_ id: String) throws -> RestApi {
        try read { try requireApi(id, $0) }
    }

    /// Changes an API's settings (not its id, root or creation date).
    public func updateRestApi(_ id: String, _ change: @Sendable (inout RestApi) throws -> Void) throws -> RestApi {
        let updated = try write { access in
            var api = try requireApi(id, access)
            let original = api
            try change(&api)
            api.id = original.id
            api.rootResourceId = original.rootResourceId
            api.createdDate = original.createdDate
            guard !api.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw GatewayError.badRequest("The API name must not be empty")
            }
            try access.save(api, in: .restApi, id: id)
            return api
        }
        emit(.restApi, .updated, id: id, api: id)
        return updated
    }

    /// Deletes an API with everything it owns, and takes its stages out of usage plans.
    public func deleteRestApi(_ id: String) throws {
        try write { access in
            _ = try requireApi(id, access)
            for var plan in try access.all(UsagePlan.self, in: .usagePlan)
            where plan.apiStages.contains(where: { $0.apiId == id }) {
                plan.apiStages.removeAll { $0.apiId == id }
                try access.save(plan, in: .usagePlan, id: plan.id)
            }
            try access.delete(from: .restApi, id: id)
        }
        emit(.restApi, .deleted, id: id, api: id)
    }

    /// The working copy of an API: the API, its resources with their methods, models, validators and gateway responses.
    public nonisolated func definition(_ id: String) throws -> ApiDefinition {
        try read { try loadDefinition(id, $0) }
    }

    nonisolated func loadDefinition(_ id: String, _ access: StoreAccess) throws -> ApiDefinition {
        let api = try requireApi(id, access)
        return ApiDefinition(
            api: api,
            resources: try access.all(Resource.self, in: .resource, api: id),
            models: try access.all(Model.self, in: .model, api: id),
            requestValidators: try access.all(RequestValidator.self, in: .requestValidator, api: id),
            gatewayResponses: try access.all(GatewayResponse.self, in: .gatewayResponse, api: id),
            authorizers: try access.all(Authorizer.self, in: .authorizer, api: id),
            documentationParts: try access.all(DocumentationPart.self, in: .documentationPart, api: id))
    }

    /// Replaces the stored working copy of an API by `definition`, in the caller's transaction.
    nonisolated func storeDefinition(_ definition: ApiDefinition, _ access: StoreAccess) throws {
        let id = definition.api.id
        try access.save(definition.api, in: .restApi, id: id)
        for table: StoreAccess.Table in [
            .resource, .model, .requestValidator, .gatewayResponse, .authorizer, .documentationPart,
        ] {
            try access.deleteAll(from: table, api: id)
        }
        for resource in definition.resources { try access.save(resource, in: .resource, id: resource.id, api: id) }
        for model in definition.models { try access.save(model: model, api: id) }
        for validator in definition.requestValidators {
            try access.save(validator, in: .requestValidator, id: validator.id, api: id)
        }
        for response in definition.gatewayResponses {
            try access.save(response, in: .gatewayResponse, id: response.responseType, api: id)
        }
        for authorizer in definition.authorizers {
            try access.save(authorizer, in: .authorizer, id: authorizer.id, api: id)
        }
        for part in definition.documentationParts {
            try access.save(part, in: .documentationPart, id: part.id, api: id)
        }
    }

    // MARK: Import and export

    /// Imports a document as a new API (`ImportRestApi`). Nothing is stored when the document is refused.
    public func importRestApi(_ document: Data, options: ImportOptions = .init()) throws -> ImportOutcome {
        let apiId = Identifiers.restApi()
        let imported = try readDocument(document, apiId: apiId, options: options)
        guard let title = imported.title, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GatewayError.badRequest("The document has no API name: set info.title (at /info/title)")
        }
        let endpoint =
            options.endpointType.map { EndpointConfiguration(types: [$0]) }
            ?? imported.endpointConfiguration ?? EndpointConfiguration(types: [.edge])
        let root = Resource(id: Identifiers.rootResource(), parentId: nil, pathPart: nil, path: "/")
        let api = RestApi(
            id: apiId, name: title, description: imported.description, version: imported.apiVersion,
            endpointConfiguration: endpoint, apiKeySource: imported.apiKeySource ?? .header,
            binaryMediaTypes: imported.binaryMediaTypes, minimumCompressionSize: imported.minimumCompressionSize,
            disableExecuteApiEndpoint: imported.disableExecuteApiEndpoint ?? false, policy: imported.policy,
            warnings: imported.warnings.map(\.description), rootResourceId: root.id)
        let definition = ImportApplier.apply(imported, to: ApiDefinition(api: api, resources: [root]), mode: .overwrite)
        try write { access in
            try checkApiQuota(access)
            try storeDefinition(definition, access)
        }
        emit(.restApi, .created, id: apiId, api: apiId)
        return ImportOutcome(
            api: definition.api, version: imported.version, resourceCount: definition.resources.count,
            methodCount: definition.methodCount, warnings: imported.warnings)
    }

    /// Imports a document into an existing API (`PutRestApi`), merging or overwriting. Endpoint configuration,
    /// stages and keys are never changed. Nothing is changed when the document is refused.
    public func putRestApi(_ id: String, document: Data, mode: ImportMode = .merge, options: ImportOptions = .init())
        throws -> ImportOutcome
    {
        _ = try restApi(id)
        let imported = try readDocument(document, apiId: id, options: options)
        let definition = try write { access in
            let current = try loadDefinition(id, access)
            var updated = ImportApplier.apply(imported, to: current, mode: mode)
            updated.api.warnings = imported.warnings.map(\.description)
            try storeDefinition(updated, access)
            return updated
        }
        emit(.restApi, .updated, id: id, api: id)
        return ImportOutcome(
            api: definition.api, version: imported.version, resourceCount: definition.resources.count,
            methodCount: definition.methodCount, warnings: imported.warnings)
    }

    func readDocument(_ document: Data, apiId: String, options: ImportOptions) throws -> ImportedDefinition {
        do {
            return try OpenAPIImporter.read(document, apiId: apiId, options: options)
        } catch {
            throw GatewayError.badRequest(error.description)
        }
    }

    /// The API as Swagger 2.0 or OpenAPI 3.0 text: the working copy, or a stage's deployment when `stage` is given.
    /// With `documentation`, a stage's export carries the documentation version the stage publishes.
    public func export(
        _ id: String, stage: String? = nil, format: ExportFormat = .oas30, yaml: Bool = false, extensions: Bool = true,
        documentation: Bool = false
    )
        throws -> String
    {
        try exported(
            id, stage: stage, format: format, yaml: yaml, extensions: extensions, documentation: documentation
        ).text
    }

    /// The export's text and the version its `info` names (the API's version, else the date it was made): AWS
    /// names the file after it.
    public func exported(
        _ id: String, stage: String? = nil, format: ExportFormat = .oas30, yaml: Bool = false, extensions: Bool = true,
        documentation: Bool = false
    )
        throws -> (text: String, version: String)
    {
        let (definition, version): (ApiDefinition, DocumentationVersion?) = try read { access in
            guard let stage else { return (try loadDefinition(id, access), nil) }
            _ = try requireApi(id, access)
            guard let found = try access.one(Stage.self, in: .stage, id: stage, api: id) else {
                throw GatewayError.notFound("Invalid stage identifier specified")
            }
            guard let snapshot = try access.snapshot(deployment: found.deploymentId, api: id) else {
                throw GatewayError.notFound("Invalid Deployment identifier specified")
            }
            let version = try found.documentationVersion.flatMap { name -> DocumentationVersion? in
                guard documentation else { return nil }
                return try access.one(DocumentationVersion.self, in: .documentationVersion, id: name, api: id)
            }
            return (snapshot, version)
        }
        let text = try OpenAPIExporter.render(
            definition, format: format, yaml: yaml, stageName: stage, region: region, extensions: extensions,
            documentation: version)
        return (text, OpenAPIExporter.version(of: definition.api))
    }
}
