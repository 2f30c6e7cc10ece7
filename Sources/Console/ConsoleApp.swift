import Foundation
import GatewayControl
import GatewayEngine
import GatewayImport
import GatewayModel
import TerminalUI

/// The console: the API Gateway screens in a terminal, driving the control plane and the in-process engine.
/// Everything here runs on the main actor; the terminal is touched only from there.
@MainActor
public final class ConsoleApp {
    public struct Options {
        /// The port the engine serves on (0 picks a free one; a busy port falls back to a free one).
        public var port: Int
        /// The theme to start with.
        public var theme: String
        /// Where themes are looked for, in order.
        public var themeDirectories: [URL]
        /// Where the sample workspace keeps its swagger.json.
        public var sampleDirectory: URL
        /// Offer the sample workspace on an empty state.
        public var offerSample: Bool
        /// The port the sample backend tries first (0: any free port).
        public var samplePort: Int
        /// Answers control API requests (aws CLI, SDKs) on the engine's port, when set.
        public var controlResponder: ControlResponder?
        /// A port of its own for the control API (else it shares the engine's).
        public var controlPort: Int?
        /// The editor mapping templates open in, with the file's path added: `$VISUAL`, else `$EDITOR`, else `vi`.
        public var editor: [String]

        public init(
            port: Int = 4567, theme: String = "default", themeDirectories: [URL] = [], sampleDirectory: URL,
            offerSample: Bool = true, samplePort: Int = SampleWorkspace.preferredPort,
            controlResponder: ControlResponder? = nil, controlPort: Int? = nil, editor: [String]? = nil
        ) {
            let environment = ProcessInfo.processInfo.environment
            let chosen = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty }
            self.editor = editor ?? chosen.map { ["/bin/sh", "-c", $0 + " \"$1\"", "sh"] } ?? ["vi"]
            self.controlPort = controlPort
            self.controlResponder = controlResponder
            self.samplePort = samplePort
            self.port = port
            self.theme = theme
            self.themeDirectories = themeDirectories
            self.sampleDirectory = sampleDirectory
            self.offerSample = offerSample
        }
    }

    /// The smallest terminal the console draws in.
    public static let minimumSize = Size(width: 80, height: 24)

    let control: GatewayControl
    let surface: Surface
    let options: Options
    var engine: GatewayEngine?
    /// This console's place among the nodes serving a shared state.
    var membership: ClusterMembership?
    let logs = LogBuffer()
    var model = ConsoleModel()
    /// Where the user has been: the pane shown is the last; `esc` goes back one.
    var stack: [Pane] = [.apis]
    var lists: [Pane: ListState] = [:]
    var apiIndex = 0
    var dialog: Dialog?
    /// The message line. An error stays until a key is pressed: a message that comes after it is added to it.
    var flash: (text: String, error: Bool)?
    var flashSeen = true
    var theme: Theme
    var running = true
    var dirty = true
    /// A change event arrived: reload if the state's generation moved past the model's.
    var changed = false
    var showValues = false
    var sample: SampleWorkspace?
    var invokeBase = ""
    /// What screens show for the engine's address, when not `invokeBase` (golden screens show a fixed port).
    var displayBase: String?
    var shownBase: String { displayBase ?? invokeBase }
    /// Text each list pane is filtered by (`/`); empty shows everything.
    var filters: [Pane: String] = [:]
    /// The pane whose filter is being typed, while it is.
    var filtering: Pane?
    var thresholds = RuleCheck.Thresholds()
    var eventsTask: Task<Void, Never>?
    var ticks = 0
    /// The state's generation when last looked at, to notice changes other processes make.
    var seenGeneration: Int?
    /// Reloads done, for tests that check one change is read once.
    var reloads = 0
    /// Template text that did not parse, kept for the next edit (by API, resource, method and template).
    var templateDrafts: [String: String] = [:]
    /// Asked each turn of the loop: true stops the console (a signal arrived).
    var stopRequested: () -> Bool = { false }

    public init(control: GatewayControl, surface: Surface, options: Options) {
        self.control = control
        self.surface = surface
        self.options = options
        var chosen = Theme.builtInDefault
        var problem: String?
        do {
            chosen = try Theme.load(name: options.theme, from: options.themeDirectories)
        } catch {
            problem = error.description + " — using the default theme"
        }
        theme = chosen
        if let problem { flashError(problem) }
    }

    var pane: Pane {
        get { stack.last ?? .apis }
        set { stack = [newValue] }
    }

    /// Opens `pane` on top of the current one (`esc` comes back).
    func push(_ pane: Pane) { if self.pane != pane { stack.append(pane) } }

    /// Goes back to the pane before, when there is one.
    func back() { if stack.count > 1 { stack.removeLast() } }

    var view: any PaneView { pane.view(self) }

    // MARK: Life

    /// Starts the engine and the sample backend when the state has it, loads the state.
    public func start() async {
        let engine = control.makeEngine(accessLog: { [logs] entry in logs.append(entry) }, recordsDetails: true)
        self.engine = engine
        engine.serveControl(options.controlResponder)
        await control.onPublishFailure { [weak self] problem in
            Task { @MainActor in
                self?.flashError(problem)
                self?.dirty = true
            }
        }
        do {
            try await control.attach(engine)
            let port: Int
            do {
                port = try await engine.start(port: options.port, control: options.controlPort == nil)
            } catch {
                port = (try? await engine.start(port: 0, control: options.controlPort == nil)) ?? 0
                flashInfo("port \(options.port) is busy; serving on \(port)")
            }
            if let controlPort = options.controlPort, options.controlResponder != nil {
                do {
                    _ = try await engine.start(port: controlPort, invoke: false)
                } catch {
                    flashError("the control API cannot listen on port \(controlPort): \(error)")
                }
            }
            invokeBase = "http://127.0.0.1:\(port)"
            // On a shared (PostgreSQL) state the console's engine is a node like `serve`'s: it follows every
            // change at once and takes its share of the limits.
            membership = try await control.joinCluster(address: "127.0.0.1:\(port)") { [weak self] problem in
                Task { @MainActor in self?.flashError(problem) }
            }
        } catch {
            flashError("the engine did not start: \(error)")
        }
        let events = await control.events()
        eventsTask = Task { @MainActor [weak self] in
            for await _ in events { self?.changed = true }
        }
        await reload()
        if (try? control.loadBalancer(SampleWorkspace.balancerName)) != nil {
            await startSample()
        } else if model.isEmpty && options.offerSample {
            dialog = .confirm(
                "Sample workspace",
                "This state is empty. Set up the sample workspace of the walkthrough? The private pictures backend, "
                    + "started here on 127.0.0.1:\(SampleWorkspace.preferredPort); its private load balancer, "
                    + "\(SampleWorkspace.balancerName); its swagger.json, ready to import (i on the APIs pane)."
            ) { [weak self] in
                await self?.startSample()
                self?.pane = .vpcLinks
            }
        }
    }

    /// Runs until the user quits: keys, changes and a one-second tick for the live figures.
    public func run() async {
        await start()
        render()
        var lastTick = Date()
        while running {
            if stopRequested() { break }
            let event = surface.nextEvent(timeoutMilliseconds: 50)
            if let event { await handle(event) }
            await reloadIfChanged()
            if event != nil || dirty || Date().timeIntervalSince(lastTick) >= 1 {
                if Date().timeIntervalSince(lastTick) >= 1 {
                    lastTick = Date()
                    ticks += 1
                    await noticeOtherProcesses()
                    if dirty { await reload() }
                }
                render()
            }
            await Task.yield()
        }
        await stop()
    }

    /// Handles every queued event, then draws once (for tests on a headless surface).
    public func runPending() async {
        while let event = surface.nextEvent(timeoutMilliseconds: 0) {
            await handle(event)
            await reloadIfChanged()
        }
        await reloadIfChanged()
        render()
    }

    /// Reloads, and republishes to the engine, when another process (a `gatehouse` verb, another `serve` taking
    /// control API calls) has changed the state since the last look.
    func noticeOtherProcesses() async {
        guard let current = try? control.store.generation() else { return }
        if let seenGeneration, current != seenGeneration {
            do {
                try await control.publishToEngine()
            } catch {
                flashError("\(error)")
            }
            dirty = true
        }
        seenGeneration = current
    }

    public func stop() async {
        await membership?.leave()
        eventsTask?.cancel()
        try? await engine?.stop()
        await sample?.stop()
    }

    /// Reloads when asked to (`dirty`), or when a change event came and the state has moved on since the model was
    /// read (the console's own writes reload at once, so their events cost nothing more).
    func reloadIfChanged() async {
        if changed {
            changed = false
            if let generation = try? control.store.generation(), generation != model.generation { dirty = true }
        }
        if dirty { await reload() }
    }

    func reload() async {
        dirty = false
        reloads += 1
        do {
            model = try await ConsoleModel.load(control)
        } catch {
            flashError("\(error)")
        }
        apiIndex = max(0, min(apiIndex, model.apis.count - 1))
    }

    func list(_ pane: Pane) -> ListState { lists[pane] ?? ListState() }

    func flashInfo(_ text: String) { show(text, error: false) }
    func flashError(_ text: String) { show(text, error: true) }

    private func show(_ text: String, error: Bool) {
        if let flash, flash.error, !flashSeen, flash.text != text {
            self.flash = (flash.text + "  ·  " + text, true)
        } else {
            flash = (text, error)
            flashSeen = false
        }
    }

    func startSample() async {
        do {
            sample = try await SampleWorkspace.start(
                control: control, directory: options.sampleDirectory, port: options.samplePort)
            if let sample {
                flashInfo("pictures backend on \(sample.backend.address); swagger.json at \(sample.swaggerPath)")
            }
        } catch {
            flashError("the sample workspace did not start: \(error)")
        }
        dirty = true
    }
}
