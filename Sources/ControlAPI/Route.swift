/// One operation of the control API: an HTTP method, a path pattern with `{name}` parts, and its handler.
struct Route: Sendable {
    typealias Handler = @Sendable (ControlAPI, ControlCall) async throws -> Reply

    let method: String
    let pattern: [String]
    /// Whether `--require-signature` applies (everything but Gatehouse's own test hooks).
    let signed: Bool
    let handler: Handler

    init(_ method: String, _ path: String, signed: Bool = true, _ handler: @escaping Handler) {
        self.method = method
        self.pattern = path.split(separator: "/").map(String.init)
        self.signed = signed
        self.handler = handler
    }

    /// The `{name}` parts when `segments` fit the pattern.
    func match(_ segments: [String]) -> [String: String]? {
        guard segments.count == pattern.count else { return nil }
        var parameters: [String: String] = [:]
        for (part, segment) in zip(pattern, segments) {
            if part.hasPrefix("{") {
                parameters[String(part.dropFirst().dropLast())] = segment
            } else if part != segment {
                return nil
            }
        }
        return parameters
    }
}
