import TerminalUI

/// Where everything sits on the screen. The frame is drawn from it and clicks are hit-tested against it, so the two
/// can never disagree.
struct ScreenLayout {
    static let navWidth = 16
    /// Rows between the top of the navigation and its first pane.
    static let navFirstRow = 2

    let size: Size
    /// The header (row 0) and, when the invoke URL does not fit beside the title, a second row for it.
    let header: Rect
    let breadcrumb: Rect
    let nav: Rect
    /// The pane's frame, and inside it the pane's own region.
    let main: Rect
    let content: Rect
    let flash: Rect
    /// The message line (two rows for a message that does not fit on one), then one or two rows of key hints.
    let footer: Rect

    init(size: Size, headerRows: Int = 1, flashRows: Int = 1, footerRows: Int = 1) {
        self.size = size
        header = Rect(x: 0, y: 0, width: size.width, height: headerRows)
        breadcrumb = Rect(x: 0, y: headerRows, width: size.width, height: 1)
        let bodyTop = headerRows + 1
        let bodyHeight = size.height - bodyTop - flashRows - footerRows
        nav = Rect(x: 0, y: bodyTop, width: Self.navWidth, height: bodyHeight)
        main = Rect(x: Self.navWidth, y: bodyTop, width: size.width - Self.navWidth, height: bodyHeight)
        content = main.inset(1)
        flash = Rect(x: 0, y: size.height - flashRows - footerRows, width: size.width, height: flashRows)
        footer = Rect(x: 0, y: size.height - footerRows, width: size.width, height: footerRows)
    }

    /// The row of the navigation's `index`th pane.
    func navRow(_ index: Int) -> Int { nav.y + Self.navFirstRow + index }

    /// The pane whose navigation entry is at (x, y).
    func pane(atX x: Int, y: Int) -> Pane? {
        guard x < nav.maxX, y >= nav.y, y < nav.maxY else { return nil }
        let index = y - nav.y - Self.navFirstRow
        return Pane.allCases.indices.contains(index) ? Pane.allCases[index] : nil
    }

    /// The row of a pane's list under (x, y), given the row of the content where its rows start.
    func listRow(atX x: Int, y: Int, listTop: Int) -> Int? {
        guard x >= content.x, x < content.maxX, y >= content.y + listTop, y < content.maxY else { return nil }
        return y - content.y - listTop
    }
}
