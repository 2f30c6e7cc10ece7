import Foundation

/// A mapping template: parsed once, evaluated many times, as Apache Velocity 1.7 evaluates it.
public struct Template: Sendable {
    let nodes: [Node]
    let macros: [String: Macro]
    /// The template as written.
    public let source: String

    /// Bounds on one evaluation, so that no template can hang or exhaust the gateway.
    public struct Limits: Sendable {
        /// Iterations of one `#foreach` (API Gateway stops a loop at 1,000, as Velocity's `maxloops` does).
        public var loopIterations = 1000
        /// Directives and references evaluated in all.
        public var steps = 1_000_000
        /// Characters written.
        public var outputSize = 10 * 1024 * 1024
        /// Macro calls within macro calls.
        public var macroDepth = 20
        /// Items a range `[a..b]` may make.
        public var rangeSize = 100_000

        public init() {}
    }

    public init(_ source: String) throws(TemplateSyntaxError) {
        self.source = source
        var parser = Parser(source)
        let (nodes, terminator) = try parser.nodes(until: [])
        if let terminator { throw parser.failure("Encountered \"#\(terminator)\" with no directive to close") }
        self.nodes = nodes
        macros = parser.macros
    }

    /// Evaluates the template with `variables` bound (`input`, `util`, `context`, `stageVariables`…). A reference
    /// into one of `quietRoots` that finds nothing writes nothing, as `$!name` does (API Gateway renders an undefined
    /// stage variable as an empty string); Velocity writes any other such reference as it stands.
    public func render(
        _ variables: [String: Value], limits: Limits = Limits(), quietRoots: Set<String> = []
    ) throws(TemplateFailure) -> String {
        let evaluation = Evaluation(variables: variables, macros: macros, limits: limits)
        evaluation.quietRoots = quietRoots
        do throws(Interrupt) {
            try evaluation.render(nodes)
        } catch {
            if case .failure(let failure) = error { throw failure }
        }
        return evaluation.output
    }
}

/// Why evaluation left the nodes it was in.
enum Interrupt: Error {
    case stop
    case `break`
    case failure(TemplateFailure)
}

/// One evaluation: its variables, its output, its budget.
final class Evaluation {
    var variables: [String: Value]
    let macros: [String: Macro]
    let limits: Template.Limits
    /// Variables whose references write nothing when they find nothing.
    var quietRoots: Set<String> = []
    var output = ""
    var steps = 0
    var macroDepth = 0

    init(variables: [String: Value], macros: [String: Macro], limits: Template.Limits) {
        self.variables = variables
        self.macros = macros
        self.limits = limits
    }

    func step() throws(Interrupt) {
        steps += 1
        if steps > limits.steps {
            throw .failure(TemplateFailure("The template took more than \(limits.steps) steps"))
        }
    }

    func write(_ text: String) throws(Interrupt) {
        output += text
        if output.utf8.count > limits.outputSize {
            throw .failure(TemplateFailure("The template wrote more than \(limits.outputSize) bytes"))
        }
    }

    /// Renders nodes into a string of their own (an interpolated string, a `#define` block).
    func renderToString(_ nodes: [Node]) throws(Interrupt) -> String {
        let saved = output
        output = ""
        defer { output = saved }
        try render(nodes)
        return output
    }

    func render(_ nodes: [Node]) throws(Interrupt) {
        for node in nodes {
            try step()
            switch node {
            case .text(let text):
                try write(text)
            case .reference(let reference):
                if let value = try value(of: reference) {
                    try write(value.rendered)
                } else if !reference.silent && !quietRoots.contains(reference.name) {
                    try write(reference.source)
                }
            case .escaped(let count, let reference):
                if let value = try value(of: reference) {
                    try write(String(repeating: "\\", count: count / 2))
                    try write(count % 2 == 1 ? reference.source : value.rendered)
                } else {
                    try write(String(repeating: "\\", count: count) + reference.source)
                }
            case .set(let target, let expression):
                let value = try self.value(of: expression)
                // Velocity leaves the variable as it was when the value is null.
                guard !value.isNull else { continue }
                if target.parts.isEmpty {
                    variables[target.name] = value
                } else if case .property(let key)? = target.parts.last {
                    var base = target
                    base.parts.removeLast()
                    if case .map(let map)? = try self.value(of: base) { map.put(key, value) }
                }
            case .conditional(let branches, let otherwise):
                var done = false
                for (condition, body) in branches where try truth(of: condition) {
                    try render(body)
                    done = true
                    break
                }
                if !done, let otherwise { try render(otherwise) }
            case .foreach(let variable, let iterable, let body):
                try loop(variable, over: try value(of: iterable), body)
            case .stop:
                throw .stop
            case .break:
                throw .break
            case .define(let name, let body):
                variables[name] = .object(Value.ObjectBox(DefinedBlock(body: body, evaluation: self)))
            case .macroCall(let name, let arguments, let source):
                try call(name, arguments, source: source)
            }
        }
    }

    func loop(_ variable: String, over iterable: Value, _ body: [Node]) throws(Interrupt) {
        let items: [Value]
        switch iterable {
        case .list(let list): items = list.items
        case .map(let map): items = map.keys.map { map[$0]! }
        default: items = []
        }
        let saved = (variables[variable], variables["foreach"], variables["velocityCount"])
        defer {
            variables[variable] = saved.0
            variables["foreach"] = saved.1
            variables["velocityCount"] = saved.2
        }
        let scope = ForeachScope(count: min(items.count, limits.loopIterations))
        variables["foreach"] = .object(Value.ObjectBox(scope))
        for (index, item) in items.prefix(limits.loopIterations).enumerated() {
            scope.index = index
            variables[variable] = item.isNull ? nil : item
            variables["velocityCount"] = .integer(Int64(index + 1))
            do throws(Interrupt) {
                try render(body)
            } catch {
                if case .break = error { return }
                throw error
            }
        }
    }

    func call(_ name: String, _ arguments: [Expression], source: String) throws(Interrupt) {
        switch name {
        case "include", "parse":
            throw .failure(TemplateFailure("#\(name) is not available in mapping templates"))
        case "evaluate":
            guard let first = arguments.first else { return }
            let text = try value(of: first).rendered
            do {
                let template = try Template(text)
                try render(template.nodes)
            } catch let error as TemplateSyntaxError {
                throw .failure(TemplateFailure("#evaluate: \(error)"))
            } catch let interrupt as Interrupt {
                throw interrupt
            } catch {
                throw .failure(TemplateFailure("\(error)"))
            }
            return
        default: break
        }
        // A name that is no macro (also at the end of parsing) is its text; missing arguments stay undefined.
        guard let macro = macros[name] else {
            try write(source)
            return
        }
        guard macroDepth < limits.macroDepth else {
            throw .failure(TemplateFailure("Macro #\(name) called itself more than \(limits.macroDepth) deep"))
        }
        var values: [Value] = []
        for argument in arguments.prefix(macro.parameters.count) { values.append(try value(of: argument)) }
        let saved = macro.parameters.map { variables[$0] }
        macroDepth += 1
        defer {
            macroDepth -= 1
            for (parameter, value) in zip(macro.parameters, saved) { variables[parameter] = value }
        }
        for parameter in macro.parameters { variables[parameter] = nil }
        for (parameter, value) in zip(macro.parameters, values) { variables[parameter] = value.isNull ? nil : value }
        try render(macro.body)
    }

    // MARK: References

    /// The value of a reference; nil when it is undefined or null somewhere along its chain.
    func value(of reference: Reference) throws(Interrupt) -> Value? {
        guard var current = variables[reference.name] else { return nil }
        for part in reference.parts {
            if current.isNull { return nil }
            switch part {
            case .property(let name):
                guard let next = Members.property(of: current, name) else { return nil }
                current = next
            case .method(let name, let expressions):
                var arguments: [Value] = []
                for expression in expressions { arguments.append(try value(of: expression)) }
                do throws(TemplateFailure) {
                    guard let next = try Members.call(current, name, arguments) else { return nil }
                    current = next
                } catch {
                    throw .failure(error)
                }
            case .index(let expression):
                let index = try value(of: expression)
                do throws(TemplateFailure) {
                    guard let next = try Members.index(current, index) else { return nil }
                    current = next
                } catch {
                    throw .failure(error)
                }
            }
        }
        return current.isNull ? nil : current
    }

    // MARK: Expressions

    func value(of expression: Expression) throws(Interrupt) -> Value {
        try step()
        switch expression {
        case .literal(let value): return value
        case .interpolated(let nodes): return .string(try renderToString(nodes))
        case .reference(let reference): return try value(of: reference) ?? .null
        case .group(let inner): return try value(of: inner)
        case .list(let items):
            var values: [Value] = []
            for item in items { values.append(try value(of: item)) }
            return .list(values)
        case .range(let low, let high):
            let (first, last) = (try value(of: low), try value(of: high))
            if case .double = first { throw .failure(TemplateFailure("A range's bounds are integers")) }
            if case .double = last { throw .failure(TemplateFailure("A range's bounds are integers")) }
            guard let from = Arithmetic.integer(first), let to = Arithmetic.integer(last) else { return .null }
            guard abs(to - from) < Int64(limits.rangeSize) else {
                throw .failure(TemplateFailure("A range [\(from)..\(to)] is longer than \(limits.rangeSize)"))
            }
            let values = from <= to ? Array(from...to) : Array((to...from).reversed())
            return .list(values.map(Value.integer))
        case .map(let pairs):
            let map = Value.MapBox()
            for (key, item) in pairs { map.put(try value(of: key).rendered, try value(of: item)) }
            return .map(map)
        case .not(let inner): return .bool(!(try truth(of: inner)))
        case .negate(let inner): return Arithmetic.apply(.subtract, .integer(0), try value(of: inner))
        case .binary(let operation, let left, let right):
            switch operation {
            case .and, .or: return .bool(try truth(of: expression))
            case .equal, .notEqual, .less, .greater, .lessOrEqual, .greaterOrEqual:
                return .bool(Arithmetic.compare(operation, try value(of: left), try value(of: right)))
            case .add:
                // Joining text, a null reference counts as the text it was written as.
                let (a, b) = (try value(of: left), try value(of: right))
                if case .string = a, b.isNull, case .reference(let reference) = right {
                    return .string(a.rendered + reference.source)
                }
                if case .string = b, a.isNull, case .reference(let reference) = left {
                    return .string(reference.source + b.rendered)
                }
                return Arithmetic.apply(operation, a, b)
            case .subtract, .multiply, .divide, .remainder:
                return Arithmetic.apply(operation, try value(of: left), try value(of: right))
            }
        }
    }

    /// Whether a condition holds, as Velocity 1.7 evaluates a node to a boolean: a literal is false, a reference
    /// is its boolean or "defined", comparisons and logic as written, arithmetic false.
    func truth(of expression: Expression) throws(Interrupt) -> Bool {
        switch expression {
        case .literal(.bool(let flag)): return flag
        case .literal, .interpolated, .list, .range, .map, .negate: return false
        case .group(let inner): return try truth(of: inner)
        case .reference(let reference):
            guard let value = try value(of: reference) else { return false }
            if case .bool(let flag) = value { return flag }
            return true
        case .not(let inner): return !(try truth(of: inner))
        case .binary(let operation, let left, let right):
            switch operation {
            case .and:
                guard try truth(of: left) else { return false }
                return try truth(of: right)
            case .or:
                if try truth(of: left) { return true }
                return try truth(of: right)
            case .add, .subtract, .multiply, .divide, .remainder: return false
            default: return Arithmetic.compare(operation, try value(of: left), try value(of: right))
            }
        }
    }
}

/// `$foreach`: where a `#foreach` is.
final class ForeachScope: TemplateObject {
    var index = 0
    let count: Int

    init(count: Int) { self.count = count }

    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? {
        switch name {
        case "getIndex": .integer(Int64(index))
        case "getCount": .integer(Int64(index + 1))
        case "hasNext", "getHasNext": .bool(index + 1 < count)
        case "isFirst", "getFirst": .bool(index == 0)
        case "isLast", "getLast": .bool(index + 1 == count)
        default: nil
        }
    }

    func property(_ name: String) -> Value? {
        switch name {
        case "index": try? call("getIndex", [])
        case "count": try? call("getCount", [])
        case "hasNext": try? call("hasNext", [])
        case "first": try? call("isFirst", [])
        case "last": try? call("isLast", [])
        default: nil
        }
    }

    var rendered: String { "org.apache.velocity.runtime.directive.ForeachScope" }
}

/// `#define($block) … #end`: rendered where `$block` is, with the variables as they are then.
final class DefinedBlock: TemplateObject {
    let body: [Node]
    unowned let evaluation: Evaluation

    init(body: [Node], evaluation: Evaluation) {
        self.body = body
        self.evaluation = evaluation
    }

    func call(_ name: String, _ arguments: [Value]) throws(TemplateFailure) -> Value? { nil }
    var rendered: String { (try? evaluation.renderToString(body)) ?? "" }
}
