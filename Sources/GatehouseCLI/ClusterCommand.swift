import ArgumentParser
import Foundation
import GatewayControl
import GatewayStore

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "The nodes serving a shared (PostgreSQL) state.",
        subcommands: [Status.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "List the nodes: their last heartbeat, the generation they serve and their quota flush lag.")

        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let control = try options.control()
                let store = control.store
                let nodes = try store.nodes()
                let generation = try store.generation()
                if options.json {
                    struct Answer: Encodable {
                        var state: String
                        var generation: Int
                        var liveNodes: Int
                        var nodes: [NodeStatus]
                    }
                    print(
                        Render.json(
                            Answer(
                                state: store.displayLocation, generation: generation,
                                liveNodes: nodes.filter(\.live).count, nodes: nodes)))
                    return
                }
                let live = nodes.filter(\.live).count
                print(
                    "State \(store.displayLocation), generation \(generation): \(live) live node\(live == 1 ? "" : "s")"
                )
                guard !nodes.isEmpty else {
                    print("No node has served it in the last ten minutes. Start one: gatehouse serve --state URL")
                    return
                }
                let rows = nodes.map { node in
                    [
                        node.id, node.address, String(node.pid), node.live ? "live" : "gone",
                        Self.seconds(node.heartbeatAge) + " ago",
                        String(node.generation) + (node.generation == generation ? "" : " (behind)"),
                        node.flushLag.map { Self.seconds($0) } ?? "-",
                    ]
                }
                print(Render.table(["NODE", "ADDRESS", "PID", "STATE", "HEARTBEAT", "GENERATION", "FLUSH LAG"], rows))
            }
        }

        static func seconds(_ value: Double) -> String { String(format: "%.1f s", value) }
    }
}
