/// The cursor and scroll position of a list.
public struct ListState: Equatable, Sendable {
    public var selected = 0
    public var offset = 0

    public init() {}

    /// Moves the cursor by `delta` within `count` rows, keeping it visible in `height` rows.
    public mutating func move(_ delta: Int, count: Int, height: Int) {
        guard count > 0 else {
            selected = 0
            offset = 0
            return
        }
        selected = max(0, min(count - 1, selected + delta))
        clamp(count: count, height: height)
    }

    /// Keeps the cursor inside the list and on screen.
    public mutating func clamp(count: Int, height: Int) {
        selected = max(0, min(max(0, count - 1), selected))
        if selected < offset { offset = selected }
        if height > 0 && selected >= offset + height { offset = selected - height + 1 }
        offset = max(0, min(offset, max(0, count - height)))
    }
}

/// Draws a table: a header row and rows of columns, with the selected row highlighted.
public struct TableView {
    public var columns: [(title: String, width: Int)]
    public var rows: [[String]]
    public var rowStyles: [Int: String] = [:]

    public init(columns: [(title: String, width: Int)], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    public func draw(
        in canvas: inout Canvas, rect: Rect, state: inout ListState, theme: Theme, tier: ColorTier, focused: Bool
    ) {
        guard rect.height > 0 else { return }
        var x = rect.x
        for column in columns {
            canvas.text(
                TextWidth.pad(column.title, to: column.width), x: x, y: rect.y,
                style: theme.style("table.header", tier: tier), maxWidth: rect.maxX - x)
            x += column.width + 1
        }
        let height = rect.height - 1
        state.clamp(count: rows.count, height: height)
        for (index, row) in rows.enumerated().dropFirst(state.offset).prefix(height) {
            let y = rect.y + 1 + index - state.offset
            let selected = focused && index == state.selected
            let style = theme.style(selected ? "table.cursor" : (rowStyles[index] ?? "text"), tier: tier)
            if selected { canvas.fill(Rect(x: rect.x, y: y, width: rect.width, height: 1), style: style) }
            var x = rect.x
            for (column, value) in zip(columns, row) {
                canvas.text(TextWidth.pad(value, to: column.width), x: x, y: y, style: style, maxWidth: rect.maxX - x)
                x += column.width + 1
            }
        }
    }
}

/// A one-line chart of values: ▁▂▃▄▅▆▇█.
public enum Sparkline {
    static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ values: [Int], width: Int) -> String {
        let recent = Array(values.suffix(width))
        let top = max(1, recent.max() ?? 1)
        return String(recent.map { $0 == 0 ? " " : bars[min(7, $0 * 7 / top)] })
    }
}
