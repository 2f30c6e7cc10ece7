import Foundation
import GatewayEngine
import GatewayImport
import GatewayModel
import GatewayStore
import NIOConcurrencyHelpers

/// The control plane: every operation the console, the command line and the control API perform, validated
/// with API Gateway's error kinds and messages, each one a single store transaction, announced as a change event.
public actor GatewayControl {
    /// The state the operations read and write.
    public nonisolated let store: GatewayStore
    /// The region Gatehouse presents itself in.
    public nonisolated let region: String
    private var subscribers: [UUID: AsyncStream<ChangeEvent>.Continuation] = [:]
    /// The engine serving this state, once attached.
    var engine: GatewayEngine?
    /// The account-level throttle the engine applies (API Gateway's default: 10,000 rps, burst 5,000).
    public var accountThrottle = EngineConfiguration.defaultAccountThrottle
    /// Told when a change is in the state but the engine could not be given it (it goes on serving the previous
    /// configuration until a later publish succeeds).
    var publishFailureHandler: (@Sendable (String) -> Void)?
    /// The generation of the state the engine serves (read with the configuration it was given).
    public var servedGeneration: Int {
        get { generationBox.withLockedValue { $0 } }
        set { generationBox.withLockedValue { $0 = newValue } }
    }
    let generationBox = NIOLockedValueBox(0)
    /// Why the last publish to the engine failed, while it has not succeeded since.
    public internal(set) var publishFailure: String?

    public init(store: GatewayStore, region: String = Region.default) {
        self.store = store
        self.region = region
    }

    /// Opens the state at `location` (`:memory:` for none).
    public init(location: String, region: String = Region.default) throws(StoreError) {
        self.init(store: try GatewayStore(location: location), region: region)
    }

    // MARK: Change events

    /// A stream of every change made through this control plane from now on.
    public func events() -> AsyncStream<ChangeEvent> {
        let (stream, continuation) = AsyncStream<ChangeEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    func emit(_ kind: ChangeEvent.Kind, _ action: ChangeEvent.Action, id: String, api: String? = nil) {
        // The engine serves the change from the next request on.
        publishReporting()
        let event = ChangeEvent(kind: kind, action: action, id: id, apiId: api)
        for continuation in subscribers.values { continuation.yield(event) }
    }

    // MARK: Transactions

    nonisolated func read<T>(_ body: (StoreAccess) throws -> T) throws -> T { try store.read(body) }
    func write<T>(_ body: (StoreAccess) throws -> T) throws -> T { try store.write(body) }

    // MARK: Lookups that fail the way API Gateway does

    nonisolated func requireApi(_ id: String, _ access: StoreAccess) throws -> RestApi {
        guard let api = try access.one(RestApi.self, in: .restApi, id: id) else {
            throw GatewayError.notFound("Invalid API identifier specified \(Region.accountId):\(id)")
        }
        return api
    }

    nonisolated func requireResource(_ id: String, api: String, _ access: StoreAccess) throws -> Resource {
        _ = try requireApi(api, access)
        guard let resource = try access.one(Resource.self, in: .resource, id: id, api: api) else {
            throw GatewayError.notFound("Invalid Resource identifier specified")
        }
        return resource
    }

    nonisolated func requireMethod(_ httpMethod: String, in resource: Resource) throws -> Method {
        guard let method = resource.resourceMethods[httpMethod.uppercased()] else {
            throw GatewayError.notFound("Invalid Method identifier specified")
        }
        return method
    }
}

/// A change made through the control plane.
public struct ChangeEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case restApi, resource, method, integration, model, requestValidator, gatewayResponse, deployment, stage
        case apiKey, usagePlan, usagePlanKey, vpcLink, loadBalancer, domainName, authorizer, function, userPool
        case documentationPart, documentationVersion
    }

    public enum Action: String, Sendable {
        case created, updated, deleted
    }

    public var kind: Kind
    public var action: Action
    public var id: String
    public var apiId: String?

    public init(kind: Kind, action: Action, id: String, apiId: String? = nil) {
        self.kind = kind
        self.action = action
        self.id = id
        self.apiId = apiId
    }
}
