/// Where frames are shown and keys come from: the real terminal (ncurses) or a headless one for tests.
public protocol Surface: AnyObject {
    /// The size of the screen now.
    var size: Size { get }
    /// The colours it can show.
    var colorTier: ColorTier { get }
    /// Shows a frame.
    func present(_ canvas: Canvas)
    /// The next event, waiting at most `timeoutMilliseconds`; nil when none came.
    func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent?
    /// Puts `text` on the clipboard of the terminal the user sits at (OSC 52, which reaches it over SSH and tmux).
    func copy(_ text: String)
    /// Gives the terminal to `body` (an editor) and takes it back after, redrawing everything.
    func suspend(_ body: () -> Void)
}

/// A surface with no terminal: a fixed size, events from a script, and the last frame kept for assertions.
public final class HeadlessSurface: Surface {
    public var size: Size
    public let colorTier: ColorTier
    public private(set) var lastFrame: Canvas?
    public private(set) var frameCount = 0
    /// What was last put on the clipboard.
    public private(set) var copied: String?
    private var events: [TerminalEvent]

    public init(size: Size, colorTier: ColorTier = .palette256, events: [TerminalEvent] = []) {
        self.size = size
        self.colorTier = colorTier
        self.events = events
    }

    public func copy(_ text: String) { copied = text }

    public func suspend(_ body: () -> Void) { body() }

    public func present(_ canvas: Canvas) {
        lastFrame = canvas
        frameCount += 1
    }

    public func nextEvent(timeoutMilliseconds: Int) -> TerminalEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// Queues keys as if typed: plain text becomes character keys.
    public func type(_ keys: Key...) { events.append(contentsOf: keys.map(TerminalEvent.key)) }

    /// Queues the characters of `text`.
    public func type(text: String) { events.append(contentsOf: text.map { .key(.character($0)) }) }

    /// Queues any event.
    public func send(_ event: TerminalEvent) { events.append(event) }

    /// Whether events are still waiting.
    public var hasPendingEvents: Bool { !events.isEmpty }

    /// The last frame as text lines.
    public var screen: [String] { lastFrame?.lines ?? [] }
}
