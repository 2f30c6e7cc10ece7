import Foundation
import TerminalUI
import Testing

@Suite struct ThemeTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("themes")

    @Test func defaultThemeFileMatchesTheBuiltInOne() throws {
        let file = try Theme.load(name: "default", from: [Self.themes])
        #expect(file.styles == Theme.builtInDefault.styles)
    }

    @Test func everyShippedThemeReadsAndCoversEveryRole() throws {
        let names = Theme.available(in: [Self.themes])
        #expect(Set(names).isSuperset(of: ["default", "light", "high-contrast", "mono"]))
        for name in names {
            let theme = try Theme.load(name: name, from: [Self.themes])
            let text = try String(contentsOf: Self.themes.appendingPathComponent("\(name).theme"), encoding: .utf8)
            for role in Theme.roles.keys { #expect(text.contains("\n\(role) ="), "\(name) lacks \(role)") }
            #expect(theme.style("table.cursor", tier: .palette256) != theme.style("text", tier: .palette256))
        }
    }

    @Test func missingRolesFallBackAndBrokenFilesSayWhere() throws {
        let partial = try Theme.parse(name: "mine", text: "# only one role\nframe.focus = #00ff00 bold\n")
        #expect(partial.style("frame.focus", tier: .truecolor).foreground == .rgb(0, 255, 0))
        #expect(
            partial.style("table.cursor", tier: .truecolor)
                == Theme.builtInDefault.style("table.cursor", tier: .truecolor))
        #expect(throws: ThemeError.self) { try Theme.parse(name: "bad", text: "frame.focus = #zzzzzz\n") }
        do {
            _ = try Theme.parse(name: "bad", text: "text = ansi3\nno.such.role = ansi1\n")
        } catch {
            #expect(error.description == "theme bad, line 2: unknown role `no.such.role`")
        }
        do {
            _ = try Theme.parse(name: "bad", text: "text = ansi3 blinking\n")
        } catch {
            #expect(error.description.contains("line 1: unknown word `blinking`"))
        }
    }

    @Test func textWidthCountsColumns() {
        #expect(TextWidth.of("abc") == 3)
        #expect(TextWidth.of("写真") == 4)
        #expect(TextWidth.of("é") == 1)
        #expect(TextWidth.truncate("abcdef", to: 4) == "abc…")
        #expect(TextWidth.pad("写真", to: 6) == "写真  ")
        var canvas = Canvas(size: Size(width: 6, height: 1))
        canvas.text("写真x", x: 0, y: 0, style: .plain)
        #expect(canvas.lines == ["写真x "])
    }
}
