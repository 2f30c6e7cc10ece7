import GatehouseCLI

await Gatehouse.run(arguments: Array(CommandLine.arguments.dropFirst()))
