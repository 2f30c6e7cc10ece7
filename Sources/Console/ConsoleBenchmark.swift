import Foundation
import GatewayControl
import GatewayModel
import SampleBackend
import TerminalUI

/// Measures the console's drawing without a terminal: a full frame of the busiest pane, and the time from
/// nothing to the first frame.
@MainActor
public enum ConsoleBenchmark {
    public struct Figures: Sendable {
        public var firstFrameMilliseconds: Double
        public var frameMicroseconds: [Double]
        public var frames: Int
    }

    public static func run(frames: Int = 500, size: Size = Size(width: 200, height: 60)) async throws -> Figures {
        let started = ContinuousClock.now
        let control = try GatewayControl(location: ":memory:")
        let surface = HeadlessSurface(size: size)
        let app = ConsoleApp(
            control: control, surface: surface,
            options: .init(
                port: 0,
                sampleDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-bench"),
                offerSample: false))
        await app.start()
        app.render()
        let first = ContinuousClock.now - started
        // The busiest pane: resources of an imported API with a method's execution flow.
        let api = try await control.importRestApi(PicturesBackend.swagger, options: .init(endpointType: .regional)).api
        _ = api
        await app.reload()
        app.pane = .resources
        app.lists[.resources] = ListState()
        app.lists[.resources]?.selected = 5
        var times: [Double] = []
        for _ in 0..<frames {
            let begin = ContinuousClock.now
            surface.present(app.frame())
            let elapsed = ContinuousClock.now - begin
            times.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
        }
        await app.stop()
        return Figures(
            firstFrameMilliseconds: Double(first.components.attoseconds) / 1e15 + Double(first.components.seconds)
                * 1e3,
            frameMicroseconds: times.sorted(), frames: frames)
    }
}
