/// Reads a template as Velocity 1.7's parser does, including where it swallows whitespace: the spaces and tabs
/// before `#set` when nothing but them stands since the last token, and the rest of the line (spaces, tabs and the
/// newline) after `#set(…)`, `#if(…)`, `#elseif(…)`, `#foreach(…)`, `#else`, `#end`, a macro call and `## comment`.
struct Parser {
    let scalars: [Unicode.Scalar]
    var position = 0
    var macros: [String: Macro]

    init(_ text: String, macros: [String: Macro] = [:]) {
        scalars = Array(text.unicodeScalars)
        self.macros = macros
    }

    static let directives: Set<String> = [
        "set", "if", "elseif", "else", "end", "foreach", "break", "stop", "define", "macro",
    ]

    // MARK: Errors

    func failure(_ message: String, at offset: Int? = nil) -> TemplateSyntaxError {
        let end = min(offset ?? position, scalars.count)
        var line = 1
        var column = 1
        for scalar in scalars[0..<end] {
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return TemplateSyntaxError(message: message, line: line, column: column)
    }

    // MARK: Characters

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let index = position + offset
        return index < scalars.count ? scalars[index] : nil
    }

    func starts(with text: String) -> Bool {
        var index = position
        for scalar in text.unicodeScalars {
            guard index < scalars.count, scalars[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    static func isIdentifierStart(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
    }

    static func isIdentifierPart(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return isIdentifierStart(scalar) || (scalar >= "0" && scalar <= "9") || scalar == "-"
    }

    mutating func identifier(allowingDash: Bool = true) -> String? {
        guard Self.isIdentifierStart(peek()) else { return nil }
        var name = ""
        while let scalar = peek(),
            allowingDash ? Self.isIdentifierPart(scalar) : (Self.isIdentifierPart(scalar) && scalar != "-")
        {
            name.unicodeScalars.append(scalar)
            position += 1
        }
        return name
    }

    mutating func skipSpace() {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            position += 1
        }
    }

    /// After a directive: spaces and tabs, then a newline, are swallowed when the newline is there.
    mutating func swallowLineEnd() {
        var index = position
        while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
        if index < scalars.count, scalars[index] == "\n" {
            position = index + 1
        } else if index + 1 < scalars.count, scalars[index] == "\r", scalars[index + 1] == "\n" {
            position = index + 2
        } else if index < scalars.count, scalars[index] == "\r" {
            position = index + 1
        }
    }

    func text(from start: Int, to end: Int) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<end])
        return text
    }

    // MARK: Template

    /// Parses nodes until one of `terminators` (`end`, `else`, `elseif`) or the end; returns the terminator met.
    mutating func nodes(until terminators: Set<String>) throws(TemplateSyntaxError) -> ([Node], String?) {
        var nodes: [Node] = []
        var text = ""
        func flush() {
            if !text.isEmpty { nodes.append(.text(text)) }
            text = ""
        }
        while let scalar = peek() {
            switch scalar {
            case "\\":
                var count = 0
                while peek(count) == "\\" { count += 1 }
                let after = position + count
                if after < scalars.count, scalars[after] == "$" {
                    position = after
                    let save = position
                    if let reference = try reference() {
                        flush()
                        nodes.append(.escaped(backslashes: count, reference))
                        continue
                    }
                    position = save
                    text += String(repeating: "\\", count: count)
                    continue
                }
                if after < scalars.count, scalars[after] == "#" {
                    position = after
                    if let name = directiveName(), Self.directives.contains(name) || macros[name] != nil {
                        // An escaped directive is its text, with one backslash fewer.
                        text += String(repeating: "\\", count: count - 1) + self.text(from: after, to: position)
                        continue
                    }
                    position = after
                    text += String(repeating: "\\", count: count)
                    continue
                }
                text += String(repeating: "\\", count: count)
                position = after
            case "$":
                let save = position
                if let reference = try reference() {
                    flush()
                    nodes.append(.reference(reference))
                } else {
                    position = save + 1
                    flush()
                    nodes.append(.text("$"))
                }
            case "#":
                if starts(with: "##") {
                    flush()
                    while let next = peek(), next != "\n" { position += 1 }
                    if peek() == "\n" { position += 1 }
                    continue
                }
                if starts(with: "#*") {
                    flush()
                    let start = position
                    position += 2
                    while position < scalars.count, !starts(with: "*#") { position += 1 }
                    // An unterminated comment runs to the end, as Velocity reads it.
                    _ = start
                    position = min(position + 2, scalars.count)
                    continue
                }
                if starts(with: "#[[") {
                    flush()
                    let start = position
                    position += 3
                    let contentStart = position
                    while position < scalars.count, !starts(with: "]]#") { position += 1 }
                    guard starts(with: "]]#") else {
                        throw failure("Unterminated unparsed content (#[[ without ]]#)", at: start)
                    }
                    nodes.append(.text(self.text(from: contentStart, to: position)))
                    position += 3
                    continue
                }
                let start = position
                guard let name = directiveName() else {
                    position = start + 1
                    flush()
                    nodes.append(.text("#"))
                    continue
                }
                if terminators.contains(name) || name == "end" || name == "else" || name == "elseif" {
                    guard terminators.contains(name) else {
                        throw failure("Encountered \"#\(name)\" with no directive to close", at: start)
                    }
                    flush()
                    if name != "elseif" { swallowLineEnd() }
                    return (nodes, name)
                }
                if name == "set", text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\t" }) { text = "" }
                flush()
                if let node = try directive(name, start: start) {
                    nodes.append(node)
                } else {
                    // Not a directive nor a macro: the text as written.
                    position = start + 1
                    nodes.append(.text("#"))
                }
            default:
                text.unicodeScalars.append(scalar)
                position += 1
            }
        }
        flush()
        return (nodes, nil)
    }

    /// `#name` or `#{name}` at the current `#`, moving past it; nil (position unchanged) when none.
    mutating func directiveName() -> String? {
        let start = position
        position += 1
        if peek() == "{" {
            position += 1
            guard let name = identifier(allowingDash: false), peek() == "}" else {
                position = start
                return nil
            }
            position += 1
            return name
        }
        guard let name = identifier(allowingDash: false) else {
            position = start
            return nil
        }
        // `#else` and `#end` are themselves even when letters follow (`#endfoo` is `#end` then `foo`).
        for short in ["elseif", "else", "end"] where name.hasPrefix(short) && name != short {
            if short == "else" && name.hasPrefix("elseif") { continue }
            position = start + 1 + short.unicodeScalars.count
            return short
        }
        return name
    }

    mutating func expectOpen(_ directive: String) throws(TemplateSyntaxError) {
        while peek() == " " || peek() == "\t" { position += 1 }
        guard peek() == "(" else { throw failure("#\(directive) needs ( after it") }
        position += 1
    }

    /// The `)` that ends a directive's arguments; an error names where the directive began.
    mutating func expectClose(_ directive: String, start: Int? = nil) throws(TemplateSyntaxError) {
        skipSpace()
        guard peek() == ")" else { throw failure("#\(directive)( is not closed with )", at: start) }
        position += 1
    }

    /// The directive after `#name` (the position just past the name); nil when the name is no directive or macro.
    mutating func directive(_ name: String, start: Int) throws(TemplateSyntaxError) -> Node? {
        switch name {
        case "set":
            try expectOpen("set")
            skipSpace()
            guard peek() == "$", let target = try reference() else {
                throw failure("#set needs a reference to set, as #set($name = value)")
            }
            skipSpace()
            guard peek() == "=" else { throw failure("#set needs = after \(target.source)") }
            position += 1
            let value = try expression()
            try expectClose("set", start: start)
            swallowLineEnd()
            return .set(target, value)
        case "if":
            try expectOpen("if")
            let condition = try expression()
            try expectClose("if", start: start)
            swallowLineEnd()
            var branches: [(Expression, [Node])] = []
            var (body, terminator) = try nodes(until: ["end", "else", "elseif"])
            branches.append((condition, body))
            var otherwise: [Node]?
            while terminator == "elseif" {
                try expectOpen("elseif")
                let next = try expression()
                try expectClose("elseif", start: start)
                swallowLineEnd()
                (body, terminator) = try nodes(until: ["end", "else", "elseif"])
                branches.append((next, body))
            }
            if terminator == "else" {
                let (rest, last) = try nodes(until: ["end"])
                guard last == "end" else { throw failure("#else without #end", at: start) }
                otherwise = rest
                terminator = last
            }
            guard terminator == "end" else { throw failure("#if without #end", at: start) }
            return .conditional(branches, otherwise: otherwise)
        case "foreach":
            try expectOpen("foreach")
            skipSpace()
            guard peek() == "$", let variable = try reference(), variable.parts.isEmpty else {
                throw failure("#foreach needs a variable, as #foreach($item in $list)")
            }
            skipSpace()
            guard starts(with: "in"), !Self.isIdentifierPart(peek(2)) else {
                throw failure("#foreach needs 'in' after \(variable.source)")
            }
            position += 2
            let iterable = try expression()
            try expectClose("foreach", start: start)
            swallowLineEnd()
            let (body, terminator) = try nodes(until: ["end"])
            guard terminator == "end" else { throw failure("#foreach without #end", at: start) }
            return .foreach(variable: variable.name, iterable, body)
        case "break":
            return .break
        case "stop":
            return .stop
        case "define":
            try expectOpen("define")
            skipSpace()
            guard peek() == "$", let target = try reference(), target.parts.isEmpty else {
                throw failure("#define needs a reference, as #define($block)")
            }
            try expectClose("define", start: start)
            swallowLineEnd()
            let (body, terminator) = try nodes(until: ["end"])
            guard terminator == "end" else { throw failure("#define without #end", at: start) }
            return .define(target.name, body)
        case "macro":
            try expectOpen("macro")
            skipSpace()
            guard let macroName = identifier(allowingDash: false) else { throw failure("#macro needs a name") }
            var parameters: [String] = []
            while true {
                skipSpace()
                if peek() == "," { position += 1; continue }
                guard peek() == "$" else { break }
                guard let parameter = try reference(), parameter.parts.isEmpty else {
                    throw failure("#macro \(macroName): a parameter is a plain $name")
                }
                parameters.append(parameter.name)
            }
            try expectClose("macro", start: start)
            swallowLineEnd()
            // The macro is known from here on, also inside its own body.
            macros[macroName] = Macro(parameters: parameters, body: [])
            let (body, terminator) = try nodes(until: ["end"])
            guard terminator == "end" else { throw failure("#macro without #end", at: start) }
            macros[macroName] = Macro(parameters: parameters, body: body)
            return .text("")
        default:
            // `#name(…)`: a macro, wherever it is defined; resolved when rendering (its text when there is none).
            let save = position
            while peek() == " " || peek() == "\t" { position += 1 }
            guard peek() == "(" else {
                position = save
                return macros[name] == nil ? nil : .macroCall(name, [], source: text(from: start, to: save))
            }
            position += 1
            var arguments: [Expression] = []
            while true {
                skipSpace()
                if peek() == "," { position += 1; continue }
                if peek() == ")" { break }
                guard peek() != nil else {
                    position = save
                    return nil
                }
                guard let argument = try? expression() else {
                    // Not arguments after all (`#note(see below)`): the text as written.
                    position = save
                    return nil
                }
                arguments.append(argument)
            }
            position += 1
            let source = text(from: start, to: position)
            swallowLineEnd()
            return .macroCall(name, arguments, source: source)
        }
    }

    // MARK: References

    /// A reference at `$`; nil (position unchanged) when what follows is no reference.
    mutating func reference() throws(TemplateSyntaxError) -> Reference? {
        let start = position
        position += 1
        var silent = false
        if peek() == "!" {
            silent = true
            position += 1
        }
        var formal = false
        if peek() == "{" {
            formal = true
            position += 1
        }
        guard let name = identifier() else {
            position = start
            return nil
        }
        var parts: [Reference.Part] = []
        while true {
            if peek() == ".", Self.isIdentifierStart(peek(1)) {
                let save = position
                position += 1
                let member = identifier()!
                if peek() == "(" {
                    position += 1
                    var arguments: [Expression] = []
                    skipSpace()
                    if peek() == ")" {
                        position += 1
                    } else {
                        while true {
                            arguments.append(try expression())
                            skipSpace()
                            if peek() == "," {
                                position += 1
                                continue
                            }
                            guard peek() == ")" else {
                                position = save
                                throw failure("\(text(from: start, to: save)).\(member)( is not closed with )")
                            }
                            position += 1
                            break
                        }
                    }
                    parts.append(.method(member, arguments))
                } else {
                    parts.append(.property(member))
                }
            } else if peek() == "[" {
                position += 1
                skipSpace()
                // An index is a reference, a whole number or a string, as Velocity's grammar allows.
                guard let first = peek(),
                    first == "$" || first == "'" || first == "\"" || first == "-"
                        || (first >= "0" && first <= "9")
                else { throw failure("An index [ takes a reference, a number or a string") }
                let index = try primary()
                skipSpace()
                guard peek() == "]" else { throw failure("An index [ is not closed with ]") }
                position += 1
                parts.append(.index(index))
            } else {
                break
            }
        }
        if formal {
            guard peek() == "}" else {
                position = start
                return nil
            }
            position += 1
        }
        return Reference(name: name, silent: silent, parts: parts, source: text(from: start, to: position))
    }

    // MARK: Expressions

    mutating func expression() throws(TemplateSyntaxError) -> Expression { try or() }

    mutating func word(_ word: String) -> Bool {
        skipSpace()
        guard starts(with: word), !Self.isIdentifierPart(peek(word.unicodeScalars.count)) else { return false }
        position += word.unicodeScalars.count
        return true
    }

    mutating func symbol(_ symbol: String) -> Bool {
        skipSpace()
        guard starts(with: symbol) else { return false }
        position += symbol.unicodeScalars.count
        return true
    }

    mutating func or() throws(TemplateSyntaxError) -> Expression {
        var left = try and()
        while symbol("||") || word("or") { left = .binary(.or, left, try and()) }
        return left
    }

    mutating func and() throws(TemplateSyntaxError) -> Expression {
        var left = try equality()
        while symbol("&&") || word("and") { left = .binary(.and, left, try equality()) }
        return left
    }

    mutating func equality() throws(TemplateSyntaxError) -> Expression {
        var left = try comparison()
        while true {
            if symbol("==") || word("eq") {
                left = .binary(.equal, left, try comparison())
            } else if symbol("!=") || word("ne") {
                left = .binary(.notEqual, left, try comparison())
            } else {
                return left
            }
        }
    }

    mutating func comparison() throws(TemplateSyntaxError) -> Expression {
        var left = try additive()
        while true {
            if symbol("<=") || word("le") {
                left = .binary(.lessOrEqual, left, try additive())
            } else if symbol(">=") || word("ge") {
                left = .binary(.greaterOrEqual, left, try additive())
            } else if symbol("<") || word("lt") {
                left = .binary(.less, left, try additive())
            } else if symbol(">") || word("gt") {
                left = .binary(.greater, left, try additive())
            } else {
                return left
            }
        }
    }

    mutating func additive() throws(TemplateSyntaxError) -> Expression {
        var left = try multiplicative()
        while true {
            if symbol("+") {
                left = .binary(.add, left, try multiplicative())
            } else if peekSymbol("-") {
                position += 1
                left = .binary(.subtract, left, try multiplicative())
            } else {
                return left
            }
        }
    }

    mutating func peekSymbol(_ symbol: String) -> Bool {
        skipSpace()
        return starts(with: symbol)
    }

    mutating func multiplicative() throws(TemplateSyntaxError) -> Expression {
        var left = try unary()
        while true {
            if symbol("*") {
                left = .binary(.multiply, left, try unary())
            } else if symbol("/") {
                left = .binary(.divide, left, try unary())
            } else if symbol("%") {
                left = .binary(.remainder, left, try unary())
            } else {
                return left
            }
        }
    }

    mutating func unary() throws(TemplateSyntaxError) -> Expression {
        if symbol("!") || word("not") { return .not(try unary()) }
        return try primary()
    }

    mutating func primary() throws(TemplateSyntaxError) -> Expression {
        skipSpace()
        guard let scalar = peek() else { throw failure("An expression is missing") }
        switch scalar {
        case "$":
            guard let reference = try reference() else { throw failure("A reference is expected after $") }
            return .reference(reference)
        case "'":
            return .literal(.string(try singleQuoted()))
        case "\"":
            let start = position
            let content = try doubleQuoted()
            if !content.contains("$") && !content.contains("#") { return .literal(.string(content)) }
            var inner = Parser(content, macros: macros)
            do throws(TemplateSyntaxError) {
                let (nodes, terminator) = try inner.nodes(until: [])
                if terminator != nil { throw failure("A string holds a stray directive", at: start) }
                return .interpolated(nodes)
            } catch {
                throw failure(error.message, at: start)
            }
        case "[":
            position += 1
            skipSpace()
            if peek() == "]" {
                position += 1
                return .list([])
            }
            let first = try expression()
            if symbol("..") {
                let last = try expression()
                guard symbol("]") else { throw failure("A range [a..b] is not closed with ]") }
                return .range(first, last)
            }
            var items = [first]
            while symbol(",") { items.append(try expression()) }
            guard symbol("]") else { throw failure("A list [ is not closed with ]") }
            return .list(items)
        case "{":
            position += 1
            var pairs: [(Expression, Expression)] = []
            skipSpace()
            if peek() == "}" {
                position += 1
                return .map([])
            }
            repeat {
                let key = try expression()
                guard symbol(":") else { throw failure("A map entry needs key : value") }
                pairs.append((key, try expression()))
            } while symbol(",")
            guard symbol("}") else { throw failure("A map { is not closed with }") }
            return .map(pairs)
        case "(":
            position += 1
            let inner = try expression()
            guard symbol(")") else { throw failure("( is not closed with )") }
            return .group(inner)
        default:
            if word("true") { return .literal(.bool(true)) }
            if word("false") { return .literal(.bool(false)) }
            if (scalar >= "0" && scalar <= "9") || scalar == "-" { return .literal(try number()) }
            throw failure("Unexpected \"\(Character(scalar))\" in an expression")
        }
    }

    mutating func singleQuoted() throws(TemplateSyntaxError) -> String {
        let start = position
        position += 1
        var text = ""
        while true {
            guard let scalar = peek() else { throw failure("A string ' is not closed", at: start) }
            position += 1
            if scalar == "'" {
                if peek() == "'" {
                    text.unicodeScalars.append("'")
                    position += 1
                    continue
                }
                return text
            }
            text.unicodeScalars.append(scalar)
        }
    }

    mutating func doubleQuoted() throws(TemplateSyntaxError) -> String {
        let start = position
        position += 1
        var text = ""
        while true {
            guard let scalar = peek() else { throw failure("A string \" is not closed", at: start) }
            position += 1
            if scalar == "\"" {
                if peek() == "\"" {
                    text.unicodeScalars.append("\"")
                    position += 1
                    continue
                }
                return text
            }
            text.unicodeScalars.append(scalar)
        }
    }

    mutating func number() throws(TemplateSyntaxError) -> Value {
        let start = position
        if peek() == "-" { position += 1 }
        while let scalar = peek(), scalar >= "0" && scalar <= "9" { position += 1 }
        var floating = false
        if peek() == ".", let next = peek(1), next >= "0" && next <= "9" {
            floating = true
            position += 1
            while let scalar = peek(), scalar >= "0" && scalar <= "9" { position += 1 }
        }
        if peek() == "e" || peek() == "E" {
            let save = position
            position += 1
            if peek() == "+" || peek() == "-" { position += 1 }
            if let scalar = peek(), scalar >= "0" && scalar <= "9" {
                floating = true
                while let scalar = peek(), scalar >= "0" && scalar <= "9" { position += 1 }
            } else {
                position = save
            }
        }
        let literal = text(from: start, to: position)
        if floating {
            guard let value = Double(literal) else { throw failure("\(literal) is not a number", at: start) }
            return .double(value)
        }
        if let value = Int64(literal) { return .integer(value) }
        guard let big = JavaNumber.bigInteger(literal) else { throw failure("\(literal) is not a number", at: start) }
        return big
    }
}
