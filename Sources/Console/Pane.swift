import TerminalUI

/// The panes of the console, in the order of the left navigation.
enum Pane: Int, CaseIterable {
    case apis, resources, stages, apiKeys, usagePlans, vpcLinks, rules, logs

    var title: String {
        switch self {
        case .apis: "APIs"
        case .resources: "Resources"
        case .stages: "Stages"
        case .apiKeys: "API keys"
        case .usagePlans: "Usage plans"
        case .vpcLinks: "VPC links"
        case .rules: "Rules"
        case .logs: "Logs"
        }
    }

    /// The keys that work in the pane, for its footer and for help.
    var bindings: [Binding] {
        switch self {
        case .apis:
            [
                Binding(.enter, "resources", "Open the selected API's resources"),
                Binding(.character("i"), "import", "Import an OpenAPI or Swagger file"),
                Binding(.character("d"), "deploy", "Deploy the selected API to a stage"),
                Binding(.character("/"), "filter", "Show only the APIs whose name or id contains a text"),
            ]
        case .resources:
            [
                Binding(.character("v"), "VPC link proxy", "Integrate the selected method through a VPC link (proxy)"),
                Binding(
                    .character("m"), "method req.",
                    "Edit the Method Request: authorization, API key, parameters, cache keys"),
                Binding(
                    .character("e"), "integration req.",
                    "Edit the Integration Request: type, method, URL, VPC link, timeout"),
                Binding(.character("k"), "API key req.", "Toggle API key required on the selected method"),
                Binding(.character("t"), "test", "Test the selected method (no key, throttle or cache)"),
                Binding(.character("d"), "deploy", "Deploy the API to a stage"),
            ]
        case .stages:
            [
                Binding(.character("c"), "cache", "Turn the stage cache on or off"),
                Binding(.character("z"), "cache size/TTL", "Set the cache capacity and the default TTL"),
                Binding(.character("r"), "throttle", "Set the stage's rate and burst"),
                Binding(.character("f"), "flush", "Flush the stage cache", dangerous: true),
                Binding(
                    .character("p"), "past deploys", "Deployment history: point the stage at an earlier deployment"),
                Binding(.character("s"), "variables", "Edit the stage variables"),
                Binding(.character("o"), "override", "Override cache and throttling for one method of the stage"),
            ]
        case .apiKeys:
            [
                Binding(.character("n"), "new key", "Create an API key"),
                Binding(.character(" "), "enable", "Enable or disable the key"),
                Binding(.character("s"), "show", "Show or hide key values"),
                Binding(.character("p"), "to plan", "Put the key in a usage plan"),
                Binding(.character("x"), "delete", "Delete the key (asks first)", dangerous: true),
                Binding(.character("/"), "filter", "Show only the keys whose name or id contains a text"),
            ]
        case .usagePlans:
            [
                Binding(.character("n"), "new plan", "Create a usage plan for a stage"),
                Binding(.character("/"), "filter", "Show only the plans whose name or id contains a text"),
            ]
        case .vpcLinks:
            [
                Binding(.character("n"), "new link", "Create a VPC link to a load balancer"),
                Binding(.character("x"), "delete", "Delete the VPC link (asks first)", dangerous: true),
                Binding(.character("/"), "filter", "Show only the links whose name, id or status contains a text"),
            ]
        case .rules:
            [Binding(.character("m"), "max rate", "Change the rate R3 allows")]
        case .logs:
            [Binding(.character("/"), "filter", "Show only lines containing a text")]
        }
    }
}

/// The keys that work everywhere.
let globalBindings: [Binding] = [
    Binding(.tab, "next", "Next pane", visible: false), Binding(.backTab, "previous", "Previous pane", visible: false),
    Binding(.character("?"), "help", "Show the keys"),
    Binding(.character(":"), "command", "Command palette: theme NAME, deploy STAGE, quit"),
    Binding(.escape, "back", "Close a dialog, go back", visible: false),
    Binding(.character("q"), "quit", "Quit Gatehouse"),
]
