/// One cell of the screen. A wide character fills its cell and marks the next as its continuation.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var style: Style
    public var isContinuation: Bool

    public init(character: Character = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.character = character
        self.style = style
        self.isContinuation = isContinuation
    }
}

/// A frame being drawn: a grid of cells, later shown by a surface.
public struct Canvas: Sendable {
    public let size: Size
    public private(set) var cells: [Cell]

    public init(size: Size, fill: Style = .plain) {
        self.size = size
        cells = Array(repeating: Cell(style: fill), count: max(0, size.width * size.height))
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.width + x] }
        set { cells[y * size.width + x] = newValue }
    }

    /// Fills a rectangle with spaces in `style`.
    public mutating func fill(_ rect: Rect, style: Style) {
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) { self[x, y] = Cell(style: style) }
        }
    }

    /// Writes `text` at (x, y), clipped to `maxWidth` columns and the canvas; returns the columns used.
    @discardableResult
    public mutating func text(_ text: String, x: Int, y: Int, style: Style, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < size.height else { return 0 }
        let limit = min(maxWidth ?? Int.max, size.width - x)
        var column = x
        for character in text {
            let width = TextWidth.of(character)
            if width == 0 { continue }
            if column + width - x > limit { break }
            if column >= 0 {
                self[column, y] = Cell(character: character, style: style)
                if width == 2 && column + 1 < size.width {
                    self[column + 1, y] = Cell(character: " ", style: style, isContinuation: true)
                }
            }
            column += width
        }
        return column - x
    }

    /// Draws a box border around `rect`, with an optional title in the top edge.
    public mutating func box(_ rect: Rect, style: Style, title: String? = nil, titleStyle: Style? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        for x in rect.x + 1..<rect.maxX - 1 {
            put("─", x: x, y: rect.y, style: style)
            put("─", x: x, y: rect.maxY - 1, style: style)
        }
        for y in rect.y + 1..<rect.maxY - 1 {
            put("│", x: rect.x, y: y, style: style)
            put("│", x: rect.maxX - 1, y: y, style: style)
        }
        put("┌", x: rect.x, y: rect.y, style: style)
        put("┐", x: rect.maxX - 1, y: rect.y, style: style)
        put("└", x: rect.x, y: rect.maxY - 1, style: style)
        put("┘", x: rect.maxX - 1, y: rect.maxY - 1, style: style)
        if let title, rect.width > 4 {
            text(" " + title + " ", x: rect.x + 1, y: rect.y, style: titleStyle ?? style, maxWidth: rect.width - 2)
        }
    }

    /// A horizontal line of `character`.
    public mutating func hline(x: Int, y: Int, width: Int, character: Character = "─", style: Style) {
        for column in x..<x + max(0, width) { put(character, x: column, y: y, style: style) }
    }

    mutating func put(_ character: Character, x: Int, y: Int, style: Style) {
        guard x >= 0, y >= 0, x < size.width, y < size.height else { return }
        self[x, y] = Cell(character: character, style: style)
    }

    /// The canvas as plain text, one line a row, trailing spaces kept: what golden screens compare.
    public var lines: [String] {
        (0..<size.height).map { y in
            var line = ""
            for x in 0..<size.width where !self[x, y].isContinuation { line.append(self[x, y].character) }
            return line
        }
    }
}
