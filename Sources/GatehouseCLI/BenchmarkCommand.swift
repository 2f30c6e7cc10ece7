import ArgumentParser
import Console
import Foundation

struct ConsoleBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-console", abstract: "Time the console's drawing on a headless 200×60 screen.",
        shouldDisplay: false)

    @Option(help: "Frames to draw.")
    var frames: Int = 500

    func run() async throws {
        let figures = try await ConsoleBenchmark.run(frames: frames)
        let times = figures.frameMicroseconds
        func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * p))] }
        print(String(format: "start to first frame: %.1f ms (target < 300 ms)", figures.firstFrameMilliseconds))
        print(
            String(
                format:
                    "full 200x60 frame of the resources pane with the execution flow, %d frames: p50 %.0f µs, p99 %.0f µs (target < 2 ms)",
                figures.frames, percentile(0.5), percentile(0.99)))
    }
}
