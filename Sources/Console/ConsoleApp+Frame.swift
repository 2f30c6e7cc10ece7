import Foundation
import GatewayModel
import TerminalUI

extension ConsoleApp {
    var tier: ColorTier { surface.colorTier }

    func style(_ role: String) -> Style { theme.style(role, tier: tier) }

    /// Draws the whole screen and shows it.
    func render() {
        surface.present(frame())
    }

    /// The invoke URL pattern the header shows.
    var invokePattern: String {
        invokeBase.isEmpty ? "engine stopped" : "invoke: \(shownBase)/restapis/{api}/{stage}/_user_request_/…"
    }

    /// The layout for the screen as it is now: the header takes a second row when the invoke URL does not fit
    /// beside the title, the footer a second row when the pane's keys do not fit on one.
    var layout: ScreenLayout { layout(footer: footerLines(width: surface.size.width)) }

    func layout(footer: [[(key: String, label: String)]]) -> ScreenLayout {
        let width = surface.size.width
        let headerRows = Self.title.count + TextWidth.of(invokePattern) + 3 > width ? 2 : 1
        let footerRows = footer.count
        let flashRows = flash.map { TextWidth.of($0.text) + 2 > width ? 2 : 1 } ?? 1
        return ScreenLayout(
            size: surface.size, headerRows: headerRows, flashRows: flashRows, footerRows: footerRows)
    }

    static let title = " Gatehouse  API Gateway on your machine"

    /// The frame for the current state. Selections are kept inside their lists first; drawing changes nothing.
    func frame() -> Canvas {
        let size = surface.size
        var canvas = Canvas(size: size, fill: style("screen"))
        guard !tooSmall else {
            let message =
                "terminal too small: need \(Self.minimumSize.width)×\(Self.minimumSize.height), have \(size.width)×\(size.height)"
            for (index, line) in TextWidth.wrap(message, to: max(1, size.width)).enumerated() where index < size.height
            {
                canvas.text(line, x: 0, y: size.height / 2 + index, style: style("flash.error"))
            }
            return canvas
        }
        let footer = footerLines(width: size.width)
        let layout = layout(footer: footer)
        let view = self.view
        var state = list(pane)
        state.clamp(count: view.rowCount, height: max(1, layout.content.height - view.listTop - view.rowsBelowList))
        lists[pane] = state
        drawHeader(&canvas, layout.header)
        drawBreadcrumb(&canvas, layout.breadcrumb, view: view)
        drawNav(&canvas, layout)
        var title = view.title
        if let filter = filters[pane], !filter.isEmpty || filtering == pane {
            title += " — filter: \(filter)" + (filtering == pane ? "▏" : "")
        }
        canvas.box(layout.main, style: style("frame.focus"), title: title, titleStyle: style("frame.title"))
        view.draw(&canvas, rect: layout.content, state: state)
        drawFlash(&canvas, layout.flash)
        drawFooter(&canvas, layout.footer, footer)
        if let dialog {
            dialog.draw(
                in: &canvas, screen: Rect(x: 0, y: 0, width: size.width, height: size.height), theme: theme,
                tier: tier)
        }
        return canvas
    }

    func drawHeader(_ canvas: inout Canvas, _ rect: Rect) {
        canvas.fill(rect, style: style("header"))
        let used = canvas.text(" Gatehouse ", x: 0, y: rect.y, style: style("header.accent"))
        canvas.text(" API Gateway on your machine", x: used, y: rect.y, style: style("header"))
        let right = invokePattern
        if rect.height == 1 {
            canvas.text(right, x: rect.width - TextWidth.of(right) - 1, y: rect.y, style: style("header"))
        } else {
            canvas.text(" " + right, x: 0, y: rect.y + 1, style: style("header"), maxWidth: rect.width)
        }
    }

    func drawBreadcrumb(_ canvas: inout Canvas, _ rect: Rect, view: any PaneView) {
        let parts = view.breadcrumb
        var x = 1
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            x += canvas.text(
                part, x: x, y: rect.y, style: style(last ? "breadcrumb.current" : "breadcrumb"),
                maxWidth: max(0, rect.width - x))
            if !last { x += canvas.text(" › ", x: x, y: rect.y, style: style("breadcrumb")) }
        }
    }

    func drawNav(_ canvas: inout Canvas, _ layout: ScreenLayout) {
        canvas.fill(layout.nav, style: style("nav"))
        canvas.text(" Console", x: layout.nav.x, y: layout.nav.y, style: style("nav.title"))
        for (index, item) in Pane.allCases.enumerated() {
            let y = layout.navRow(index)
            guard y < layout.nav.maxY else { break }
            let selected = item == pane
            if selected {
                canvas.fill(
                    Rect(x: layout.nav.x, y: y, width: layout.nav.width, height: 1), style: style("nav.selected"))
            }
            canvas.text(
                " \(index + 1) \(item.view(self).title)", x: layout.nav.x, y: y,
                style: style(selected ? "nav.selected" : "nav"), maxWidth: layout.nav.width)
        }
    }

    func drawFlash(_ canvas: inout Canvas, _ rect: Rect) {
        guard let flash else { return }
        var lines = TextWidth.wrap(flash.text, to: rect.width - 2)
        if lines.count > rect.height {
            lines = Array(lines.prefix(rect.height))
            lines[rect.height - 1] = TextWidth.truncate(lines[rect.height - 1] + " …", to: rect.width - 2)
        }
        for (row, line) in lines.enumerated() {
            canvas.text(" " + line, x: 0, y: rect.y + row, style: style(flash.error ? "flash.error" : "flash.info"))
        }
    }

    /// The footer's rows: the pane's keys, then `/` and `:`, then `? help  q quit` at the right of the last row;
    /// two rows when one does not hold them, and what two do not hold is behind `?`.
    func footerLines(width: Int) -> [[(key: String, label: String)]] {
        if filtering != nil {
            return [[("type", "to filter"), ("enter", "keep"), ("esc", "clear")]]
        }
        let view = self.view
        var hints = view.actions.filter(\.visible).map { ($0.key.description, $0.label) }
        if view.filterable { hints.append(("/", "filter")) }
        hints.append((":", "command"))
        let essentials = [("?", "help"), ("q", "quit")]
        func span(_ hint: (String, String)) -> Int { TextWidth.of(hint.0) + TextWidth.of(hint.1) + 3 }
        let essentialWidth = essentials.reduce(0) { $0 + span($1) }
        let room = width - 2
        if hints.reduce(0, { $0 + span($1) }) + essentialWidth <= room { return [hints + essentials] }
        var first: [(String, String)] = []
        var used = 0
        var rest = hints[...]
        while let hint = rest.first, used + span(hint) <= room {
            first.append(hint)
            used += span(hint)
            rest = rest.dropFirst()
        }
        var second: [(String, String)] = []
        used = essentialWidth
        while let hint = rest.first, used + span(hint) <= room {
            second.append(hint)
            used += span(hint)
            rest = rest.dropFirst()
        }
        return [first, second + essentials]
    }

    func drawFooter(_ canvas: inout Canvas, _ rect: Rect, _ lines: [[(key: String, label: String)]]) {
        canvas.fill(rect, style: style("footer"))
        for (row, hints) in lines.enumerated() {
            let y = rect.y + row
            let essentials = hints.suffix(where: { $0.key == "?" || $0.key == "q" })
            var x = 1
            for hint in hints.dropLast(essentials.count) {
                x += canvas.text(hint.key, x: x, y: y, style: style("footer.key"))
                x += canvas.text(" " + hint.label + "  ", x: x, y: y, style: style("footer"))
            }
            x = rect.width - essentials.reduce(0) { $0 + TextWidth.of($1.key) + TextWidth.of($1.label) + 3 }
            for hint in essentials {
                x += canvas.text(hint.key, x: x, y: y, style: style("footer.key"))
                x += canvas.text(" " + hint.label + "  ", x: x, y: y, style: style("footer"))
            }
        }
    }
}

extension Array {
    /// The longest run at the end whose elements all satisfy `predicate`.
    fileprivate func suffix(where predicate: (Element) -> Bool) -> ArraySlice<Element> {
        var start = endIndex
        while start > startIndex, predicate(self[start - 1]) { start -= 1 }
        return self[start...]
    }
}
