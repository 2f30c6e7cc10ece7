import ArgumentParser
import Foundation
import GatewayControl
import GatewayModel

extension Target: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

struct LoadBalancerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-balancer",
        abstract: "Manage the private load balancers VPC links target (stand-ins for internal NLBs).",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a load balancer over one or more HOST:PORT targets.")

        @Argument(help: "Its name (letters, digits, hyphens).")
        var name: String

        @Option(name: .customLong("target"), help: "A backend, HOST:PORT ([::1]:PORT for IPv6). Repeat for more.")
        var targets: [Target] = []

        @Option(name: .customLong("dns-name"), help: "Its DNS name (default: NAME-<hash>.elb.REGION.amazonaws.com).")
        var dnsName: String?

        @OptionGroup var options: StateOptions

        func validate() throws {
            if targets.isEmpty { throw ValidationError("Give at least one --target HOST:PORT") }
        }

        func run() async throws {
            try await runReporting {
                let balancer = try await options.control().createLoadBalancer(
                    name: name, targets: targets, dnsName: dnsName)
                print(
                    options.json
                        ? Render.json(balancer)
                        : "Created load balancer \(balancer.name)\n  ARN: \(balancer.arn)\n  DNS: \(balancer.dnsName)\n  targets: \(balancer.targets.map(\.description).joined(separator: ", "))"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the load balancers.")
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let balancers = try options.control().loadBalancers()
                if options.json { return print(Render.json(balancers)) }
                print(
                    Render.table(
                        ["NAME", "DNS NAME", "TARGETS"],
                        balancers.map {
                            [$0.name, $0.dnsName, $0.targets.map(\.description).joined(separator: ", ")]
                        }))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a load balancer no VPC link targets.")
        @Argument var name: String
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                try await options.control().deleteLoadBalancer(name)
                print("Deleted load balancer \(name)")
            }
        }
    }
}

struct VpcLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vpc-link",
        abstract:
            "Manage VPC links. A new link is PENDING until `gatehouse serve` (or the console) health-checks its targets.",
        subcommands: [Create.self, List.self, Delete.self, Proxy.self])

    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Make every method of an API an HTTP proxy through a VPC link (endpoint: the NLB's DNS name + the resource path)."
        )

        @Argument(help: "The API (id or name).")
        var api: String

        @Argument(help: "The VPC link id.")
        var link: String

        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let control = try options.control()
                let target = try await control.findApi(api)
                let count = try await control.integrateAllThroughVpcLink(api: target.id, link: link)
                print(
                    "\(Render.count(count, "method")) of \(target.name) (\(target.id)) proxy through VPC link \(link)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a VPC link to a load balancer.")

        @Argument var name: String

        @Option(name: .customLong("load-balancer"), help: "The load balancer's name.")
        var loadBalancer: String?

        @Option(
            name: .customLong("target-arn"),
            help: "Or its ARN: arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID.")
        var targetArn: String?

        @OptionGroup var options: StateOptions

        func validate() throws {
            if (loadBalancer == nil) == (targetArn == nil) {
                throw ValidationError("Give either --load-balancer NAME or --target-arn ARN")
            }
        }

        func run() async throws {
            try await runReporting {
                let control = try options.control()
                var arn = targetArn ?? ""
                if let loadBalancer { arn = try control.loadBalancer(loadBalancer).arn }
                let link = try await control.createVpcLink(name: name, targetArn: arn)
                print(
                    options.json
                        ? Render.json(link) : "Created VPC link \(link.id) (\(link.name)): \(link.status.rawValue)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the VPC links and their status.")
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                let links = try options.control().vpcLinks()
                if options.json { return print(Render.json(links)) }
                print(
                    Render.table(
                        ["ID", "NAME", "STATUS", "TARGET", "MESSAGE"],
                        links.map {
                            [
                                $0.id, $0.name, $0.status.rawValue,
                                $0.balancerName ?? "-", $0.statusMessage ?? "",
                            ]
                        }))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a VPC link no method uses.")
        @Argument var id: String
        @OptionGroup var options: StateOptions

        func run() async throws {
            try await runReporting {
                try await options.control().deleteVpcLink(id)
                print("Deleted VPC link \(id)")
            }
        }
    }
}
