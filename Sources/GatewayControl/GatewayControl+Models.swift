import Foundation
import GatewayImport
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// The models of an API.
    public nonisolated func models(api: String) throws -> [Model] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(Model.self, in: .model, api: api)
        }.sorted { $0.name < $1.name }
    }

    /// Creates a model; the schema must be JSON.
    public func createModel(
        api: String, name: String, schema: String?, contentType: String = "application/json", description: String? = nil
    )
        throws -> Model
    {
        guard Model.isValidName(name) else { throw GatewayError.badRequest("Model name must be alphanumeric: \(name)") }
        if let schema, (try? JSONSerialization.jsonObject(with: Data(schema.utf8))) == nil {
            throw GatewayError.badRequest(
                "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]")
        }
        let model = Model(
            // An empty description is none, as AWS answers.
            id: Identifiers.shortObject(), name: name, description: description.flatMap { $0.isEmpty ? nil : $0 },
            schema: schema,
            contentType: contentType)
        try write { access in
            _ = try requireApi(api, access)
            if try access.all(Model.self, in: .model, api: api).contains(where: { $0.name == name }) {
                throw GatewayError.conflict("Model name already exists for this REST API")
            }
            try access.save(model: model, api: api)
        }
        emit(.model, .created, id: model.id, api: api)
        return model
    }

    /// Changes a model's schema or description; the schema must be JSON.
    public func updateModel(api: String, name: String, _ change: @Sendable (inout Model) throws -> Void) throws -> Model
    {
        let model = try write { access in
            _ = try requireApi(api, access)
            guard var model = try access.all(Model.self, in: .model, api: api).first(where: { $0.name == name }) else {
                throw GatewayError.notFound("Invalid model name specified: \(name)")
            }
            let original = model
            try change(&model)
            model.id = original.id
            model.name = original.name
            if let schema = model.schema, (try? JSONSerialization.jsonObject(with: Data(schema.utf8))) == nil {
                throw GatewayError.badRequest(
                    "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
                )
            }
            try access.save(model: model, api: api)
            return model
        }
        emit(.model, .updated, id: model.id, api: api)
        return model
    }

    /// Deletes a model that no method uses.
    public func deleteModel(api: String, name: String) throws {
        try write { access in
            _ = try requireApi(api, access)
            guard let model = try access.all(Model.self, in: .model, api: api).first(where: { $0.name == name }) else {
                throw GatewayError.notFound("Invalid model name specified: \(name)")
            }
            // The method named is the last that uses it in path order, as AWS's recorded answers name it.
            for resource in try access.all(Resource.self, in: .resource, api: api).sorted(by: { $0.path > $1.path }) {
                for method in resource.sortedMethods.reversed() {
                    let used =
                        method.requestModels.values.contains(name)
                        || method.methodResponses.values.contains { $0.responseModels.values.contains(name) }
                    if used {
                        throw GatewayError.conflict(
                            "Cannot delete model '\(name)', is referenced in method request: \(resource.path)/\(method.httpMethod)"
                        )
                    }
                }
            }
            try access.delete(from: .model, id: model.id, api: api)
        }
        emit(.model, .deleted, id: name, api: api)
    }

    // MARK: Request validators

    public nonisolated func requestValidators(api: String) throws -> [RequestValidator] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(RequestValidator.self, in: .requestValidator, api: api)
        }
    }

    public func createRequestValidator(
        api: String, name: String, validateRequestBody: Bool, validateRequestParameters: Bool
    )
        throws -> RequestValidator
    {
        let validator = RequestValidator(
            id: Identifiers.shortObject(), name: name, validateRequestBody: validateRequestBody,
            validateRequestParameters: validateRequestParameters)
        try write { access in
            _ = try requireApi(api, access)
            if try access.all(RequestValidator.self, in: .requestValidator, api: api).contains(where: {
                $0.name == name
            }) {
                throw GatewayError.conflict("Validator with name \(name) already exists")
            }
            try access.save(validator, in: .requestValidator, id: validator.id, api: api)
        }
        emit(.requestValidator, .created, id: validator.id, api: api)
        return validator
    }

    public func updateRequestValidator(
        api: String, id: String, _ change: @Sendable (inout RequestValidator) throws -> Void
    )
        throws -> RequestValidator
    {
        let validator = try write { access in
            _ = try requireApi(api, access)
            guard var validator = try access.one(RequestValidator.self, in: .requestValidator, id: id, api: api) else {
                throw GatewayError.notFound(RequestValidator.unknownMessage)
            }
            try change(&validator)
            validator.id = id
            let others = try access.all(RequestValidator.self, in: .requestValidator, api: api).filter { $0.id != id }
            if others.contains(where: { $0.name == validator.name }) {
                throw GatewayError.conflict("Validator with name \(validator.name) already exists")
            }
            try access.save(validator, in: .requestValidator, id: id, api: api)
            return validator
        }
        emit(.requestValidator, .updated, id: id, api: api)
        return validator
    }

    public func deleteRequestValidator(api: String, id: String) throws {
        try write { access in
            _ = try requireApi(api, access)
            guard try access.delete(from: .requestValidator, id: id, api: api) else {
                throw GatewayError.notFound(RequestValidator.unknownMessage)
            }
            for var resource in try access.all(Resource.self, in: .resource, api: api)
            where resource.resourceMethods.values.contains(where: { $0.requestValidatorId == id }) {
                for key in resource.resourceMethods.keys where resource.resourceMethods[key]?.requestValidatorId == id {
                    resource.resourceMethods[key]?.requestValidatorId = nil
                }
                try access.save(resource, in: .resource, id: resource.id, api: api)
            }
        }
        emit(.requestValidator, .deleted, id: id, api: api)
    }

    // MARK: Gateway responses

    public nonisolated func gatewayResponses(api: String) throws -> [GatewayResponse] {
        try read { access in
            _ = try requireApi(api, access)
            return try access.all(GatewayResponse.self, in: .gatewayResponse, api: api)
        }
    }

    public func putGatewayResponse(api: String, response: GatewayResponse) throws -> GatewayResponse {
        guard GatewayResponse.types.contains(response.responseType) else {
            throw GatewayError.badRequest("Invalid gateway response type '\(response.responseType)'")
        }
        if let status = response.statusCode,
            !(status.count == 3 && Int(status).map { (100...599).contains($0) } == true)
        {
            throw GatewayError.badRequest("Invalid status code '\(status)'")
        }
        try write { access in
            _ = try requireApi(api, access)
            try access.save(response, in: .gatewayResponse, id: response.responseType, api: api)
        }
        emit(.gatewayResponse, .updated, id: response.responseType, api: api)
        return response
    }

    public func deleteGatewayResponse(api: String, type: String) throws {
        try write { access in
            _ = try requireApi(api, access)
            guard try access.delete(from: .gatewayResponse, id: type, api: api) else {
                throw GatewayError.notFound("Gateway response type not defined on api")
            }
        }
        emit(.gatewayResponse, .deleted, id: type, api: api)
    }
}
