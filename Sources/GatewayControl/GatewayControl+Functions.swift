import Foundation
import GatewayModel
import GatewayStore

extension GatewayControl {
    /// Registers a Lambda function (or replaces one of the same name when `replace`): integrations and
    /// authorizers whose URI names its ARN invoke it from the next request on.
    @discardableResult
    public func addFunction(_ function: LambdaFunction, replace: Bool = false) throws -> LambdaFunction {
        var function = function
        function.region = region
        if let problem = function.problem { throw GatewayError.badRequest(problem) }
        if function.kind == .process, let code = function.code {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: code, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw GatewayError.badRequest("The code directory \(code) does not exist")
            }
        }
        let saved = function
        try write { access in
            if !replace, try access.one(LambdaFunction.self, in: .function, id: saved.name) != nil {
                throw GatewayError.conflict("Function already exist: \(saved.name)")
            }
            try access.save(saved, in: .function, id: saved.name)
        }
        emit(.function, .created, id: function.name)
        return function
    }

    /// Every registered function, by name.
    public nonisolated func functions() throws -> [LambdaFunction] {
        try read { try $0.all(LambdaFunction.self, in: .function) }.sorted { $0.name < $1.name }
    }

    /// One function, by name or ARN.
    public nonisolated func function(_ nameOrArn: String) throws -> LambdaFunction {
        let name = LambdaFunction.name(fromArn: nameOrArn) ?? nameOrArn
        return try read { access in
            guard let function = try access.one(LambdaFunction.self, in: .function, id: name) else {
                throw GatewayError.notFound("Function not found: \(LambdaFunction.arn(name, region: region))")
            }
            return function
        }
    }

    /// Removes a function; its processes stop.
    public func removeFunction(_ nameOrArn: String) throws {
        let function = try function(nameOrArn)
        try write { access in _ = try access.delete(from: .function, id: function.name) }
        emit(.function, .deleted, id: function.name)
    }

    /// Where the serving process writes each function's log (`NAME.log`): beside the state file; for a shared
    /// (PostgreSQL) state, each node's own state folder (`$XDG_STATE_HOME/gatehouse/functions`); nil for a state
    /// kept in memory, whose function logs stay in memory too.
    public nonisolated var functionLogDirectory: URL? {
        if store.isShared {
            return URL(fileURLWithPath: GatewayStore.defaultLocation()).deletingLastPathComponent()
                .appendingPathComponent("functions")
        }
        return store.location == ":memory:" ? nil : URL(fileURLWithPath: store.location + "-functions")
    }
}
