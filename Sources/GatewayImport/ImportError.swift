/// Why a document was refused: one or more problems, each with where it is.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ImportProblem]

    public init(_ message: String, pointer: String? = nil, line: Int? = nil) {
        problems = [ImportProblem(message: message, pointer: pointer, line: line)]
    }

    public init(problems: [ImportProblem]) { self.problems = problems }

    /// API Gateway's form: `Errors found during import:` then one problem a line.
    public var description: String {
        if problems.count == 1 { return problems[0].description }
        return "Errors found during import:\n" + problems.map { "\t" + $0.description }.joined(separator: "\n")
    }
}

/// A warning or an error of an import, with where it was found.
public struct ImportProblem: Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// A JSON pointer into the document (`/paths/~1pets/get`), when the problem has a place.
    public var pointer: String?
    /// The 1-based source line, where known.
    public var line: Int?

    public init(message: String, pointer: String? = nil, line: Int? = nil) {
        self.message = message
        self.pointer = pointer
        self.line = line
    }

    /// `message (at /paths/~1pets/get, line 12)`.
    public var description: String {
        var places: [String] = []
        if let pointer, !pointer.isEmpty { places.append("at \(pointer)") }
        if let line, !(message.contains("line \(line)")) { places.append("line \(line)") }
        return places.isEmpty ? message : "\(message) (\(places.joined(separator: ", ")))"
    }
}
