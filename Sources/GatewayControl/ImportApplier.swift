import GatewayImport
import GatewayModel

/// Applies an imported document to an API's working copy, as API Gateway's import and put do.
enum ImportApplier {
    static func apply(_ imported: ImportedDefinition, to current: ApiDefinition, mode: ImportMode) -> ApiDefinition {
        var result = current
        var api = current.api
        // Both modes take the document's title as the API's name, as AWS's recorded answers show.
        if let title = imported.title, !title.isEmpty { api.name = title }
        switch mode {
        case .overwrite:
            api.description = imported.description
            api.version = imported.apiVersion
            api.apiKeySource = imported.apiKeySource ?? .header
            api.binaryMediaTypes = imported.binaryMediaTypes
            api.minimumCompressionSize = imported.minimumCompressionSize
            api.policy = imported.policy
        case .merge:
            if let source = imported.apiKeySource { api.apiKeySource = source }
            for type in imported.binaryMediaTypes where !api.binaryMediaTypes.contains(type) {
                api.binaryMediaTypes.append(type)
            }
            if let size = imported.minimumCompressionSize { api.minimumCompressionSize = size }
            if let policy = imported.policy { api.policy = policy }
            if let description = imported.description { api.description = description }
            if let version = imported.apiVersion { api.version = version }
        }
        result.api = api

        // Models and validators are matched by name, keeping ids of the ones that stay.
        result.models = merge(current.models, imported.models, mode: mode, key: \.name) { existing, new in
            var model = new
            model.id = existing.id
            return model
        }
        let importedValidators = imported.requestValidators.sorted { $0.key < $1.key }.map {
            RequestValidator(
                id: Identifiers.shortObject(), name: $0.key, validateRequestBody: $0.value.body,
                validateRequestParameters: $0.value.parameters)
        }
        result.requestValidators = merge(current.requestValidators, importedValidators, mode: mode, key: \.name) {
            existing, new in
            var validator = new
            validator.id = existing.id
            return validator
        }
        result.gatewayResponses = merge(
            current.gatewayResponses, imported.gatewayResponses, mode: mode, key: \.responseType
        ) { $1 }
        let validatorIds = Dictionary(
            result.requestValidators.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        // Authorizers too are matched by name; imported methods name theirs, and get its id here.
        let importedAuthorizers = imported.authorizers.map { authorizer -> Authorizer in
            var fresh = authorizer
            fresh.id = Identifiers.shortObject()
            return fresh
        }
        result.authorizers = merge(current.authorizers, importedAuthorizers, mode: mode, key: \.name) {
            existing, new in
            var authorizer = new
            authorizer.id = existing.id
            return authorizer
        }
        // Documentation parts by location, when the document has any.
        if !imported.documentationParts.isEmpty {
            result.documentationParts = GatewayControl.lay(
                imported.documentationParts, over: current.documentationParts, mode: mode)
        }
        let authorizerIds = Dictionary(
            result.authorizers.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })

        // Resources by path; new ones are made parent first.
        var byPath = Dictionary(current.resources.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let rootPath = "/"
        for path in imported.paths.keys {
            // Walk down from the root, making each missing resource under its parent.
            var parent = byPath[rootPath]!
            var current = ""
            for segment in PathRules.segments(path) {
                current += "/" + segment
                if byPath[current] == nil {
                    byPath[current] = Resource(
                        id: Identifiers.resource(), parentId: parent.id, pathPart: segment, path: current)
                }
                parent = byPath[current]!
            }
        }
        if mode == .overwrite {
            for path in byPath.keys where path != rootPath && imported.paths[path] == nil {
                byPath[path] = nil
            }
        }
        let existingIds = Set(current.resources.map(\.id))
        for (path, methods) in imported.paths {
            guard var resource = byPath[path] else { continue }
            if mode == .overwrite { resource.resourceMethods = [:] }
            // An integration's cache namespace is its resource's id, except that an overwrite remakes the methods
            // of a resource that stays with a namespace of their own (as AWS's recorded answers show).
            let remade = mode == .overwrite && path != rootPath && existingIds.contains(resource.id)
            let namespace = remade ? Identifiers.resource() : resource.id
            for (httpMethod, importedMethod) in methods {
                var method = importedMethod.method
                method.requestValidatorId = importedMethod.requestValidatorName.flatMap { validatorIds[$0] }
                method.authorizerId = method.authorizerId.flatMap { authorizerIds[$0] }
                if var integration = method.methodIntegration, integration.cacheNamespace == nil {
                    integration.cacheNamespace = namespace
                    method.methodIntegration = integration
                }
                resource.resourceMethods[httpMethod] = method
            }
            byPath[path] = resource
        }
        if mode == .overwrite && imported.paths[rootPath] == nil {
            byPath[rootPath]?.resourceMethods = [:]
        }
        result.resources = byPath.values.sorted { $0.path < $1.path }
        return result
    }

    /// `current` with `imported` laid over it: same-key items replaced (by `combine`), new ones added, and on
    /// overwrite, items the import does not name dropped.
    static func merge<T>(
        _ current: [T], _ imported: [T], mode: ImportMode, key: KeyPath<T, String>, combine: (T, T) -> T
    ) -> [T] {
        let existing = Dictionary(current.map { ($0[keyPath: key], $0) }, uniquingKeysWith: { first, _ in first })
        let importedKeys = Set(imported.map { $0[keyPath: key] })
        var result = mode == .merge ? current.filter { !importedKeys.contains($0[keyPath: key]) } : []
        for item in imported {
            result.append(existing[item[keyPath: key]].map { combine($0, item) } ?? item)
        }
        return result
    }
}
