import Foundation

/// The state of a VPC link.
public enum VpcLinkStatus: String, Codable, Sendable, CaseIterable {
    case available = "AVAILABLE"
    case pending = "PENDING"
    case deleting = "DELETING"
    case failed = "FAILED"
}

/// A VPC link: the private road from API Gateway to a network load balancer.
public struct VpcLink: Codable, Sendable, Equatable, Identifiable {
    /// The message of a link that became available.
    public static let readyMessage = "Your vpc link is ready for use"

    public var id: String
    public var name: String
    public var description: String?
    /// The load balancer's ARN (one, for REST APIs).
    public var targetArns: [String]
    public var status: VpcLinkStatus
    public var statusMessage: String?
    public var tags: [String: String]

    /// The name of the load balancer the link targets, from its ARN (`…:loadbalancer/net/NAME/…`).
    public var balancerName: String? { targetArns.first.flatMap(LoadBalancer.name(fromArn:)) }

    public init(
        id: String, name: String, description: String? = nil, targetArns: [String], status: VpcLinkStatus = .pending,
        statusMessage: String? = nil, tags: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.targetArns = targetArns
        self.status = status
        self.statusMessage = statusMessage
        self.tags = tags
    }
}

/// A `host:port` behind a load balancer.
public struct Target: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`[::1]:8080` for IPv6); nil when it is not one.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let hostPart: Substring
        let portPart: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            hostPart = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { return nil }
            hostPart = trimmed[..<colon]
            portPart = trimmed[trimmed.index(after: colon)...]
            if hostPart.contains(":") { return nil }
        }
        guard !hostPart.isEmpty, let port = Int(portPart), (1...65535).contains(port) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A private network load balancer: what a VPC link targets. Stands for the internal NLB in front of a
/// Kubernetes service.
public struct LoadBalancer: Codable, Sendable, Equatable, Identifiable {
    public var name: String
    public var dnsName: String
    public var arn: String
    public var targets: [Target]

    public var id: String { name }

    public init(
        name: String, dnsName: String? = nil, arn: String? = nil, targets: [Target], region: String = Region.default
    ) {
        self.name = name
        let suffix = LoadBalancer.suffix(for: name)
        self.dnsName = dnsName ?? "\(name)-\(suffix).elb.\(region).amazonaws.com"
        self.arn =
            arn ?? "arn:aws:elasticloadbalancing:\(region):\(Region.accountId):loadbalancer/net/\(name)/\(suffix)"
        self.targets = targets
    }

    /// The load balancer name an ARN `…:loadbalancer/net/NAME/…` names, or nil.
    public static func name(fromArn arn: String) -> String? {
        guard let range = arn.range(of: ":loadbalancer/net/") else { return nil }
        let rest = arn[range.upperBound...]
        let name = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return name.isEmpty ? nil : name
    }

    /// Why `name` cannot name a load balancer, or nil: 1–32 letters, digits and hyphens, not starting or ending with one.
    public static func problem(inName name: String) -> String? {
        let ok =
            (1...32).contains(name.count) && !name.hasPrefix("-") && !name.hasSuffix("-")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return ok
            ? nil
            : "Load balancer name '\(name)' must be 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen"
    }

    /// A stable 16-hex-digit suffix for a name, as ELB puts in ARNs and DNS names.
    static func suffix(for name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The region and account Gatehouse presents itself as.
public enum Region {
    /// The region used when none is given.
    public static let `default` = "us-east-1"
    /// The account id in ARNs and error messages.
    public static let accountId = "123456789012"
}
