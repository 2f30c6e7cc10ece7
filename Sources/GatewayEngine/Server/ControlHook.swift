import NIOConcurrencyHelpers

/// Answers a request that is not an invoke URL: the control API served beside the data plane. `nil` means the
/// path is not one the control API knows, and the caller answers as API Gateway does for unknown paths.
public typealias ControlResponder = @Sendable (InvokeRequest) async -> InvokeResponse?

/// The place a listener finds the control API, set once it is ready (and replaceable while serving).
final class ControlHook: Sendable {
    private let box = NIOLockedValueBox<ControlResponder?>(nil)

    var responder: ControlResponder? { box.withLockedValue { $0 } }

    func set(_ responder: ControlResponder?) { box.withLockedValue { $0 = responder } }
}
