import ArgumentParser
import SimulationRuntime
import TwinModel

/// How `twinhub sim` speaks Sparkplug B; each option overrides the scenario's `protocol:` and `sparkplug:`.
struct SparkplugSimOptions: ParsableArguments {
    @Option(name: .customLong("protocol"),
            help: ArgumentHelp("json (a connection per machine), sparkplug (Sparkplug B 3.0, a connection per edge node) or both (default: the scenario's, else json).",
                               valueName: "json|sparkplug|both"))
    var fleetProtocol: String?

    @Option(help: ArgumentHelp("Sparkplug group id of every edge node (default: each machine's site).", valueName: "id"))
    var sparkplugGroup: String?

    @Option(help: ArgumentHelp("What a Sparkplug edge node is: a line, its machines its devices (default), or a machine.", valueName: "line|machine"))
    var edgeNode: String?

    @Option(help: ArgumentHelp("Sparkplug primary host id: births wait for its STATE online, and nodes leave when it goes offline.", valueName: "id"))
    var primaryHost: String?

    func validate() throws {
        if let fleetProtocol, FleetProtocol(rawValue: fleetProtocol) == nil {
            throw ValidationError("--protocol must be json, sparkplug or both, not '\(fleetProtocol)'")
        }
        if let edgeNode, SparkplugFleetOptions.NodeScope(rawValue: edgeNode) == nil {
            throw ValidationError("--edge-node must be line or machine, not '\(edgeNode)'")
        }
    }

    /// `options` speaking what these options and `scenario` say.
    func apply(to options: inout FleetSimulator.Options, scenario: Scenario) {
        let wire = scenario.wire
        options.fleetProtocol = FleetProtocol(rawValue: fleetProtocol ?? wire.protocolName) ?? .json
        options.sparkplug = SparkplugFleetOptions(groupID: sparkplugGroup ?? wire.sparkplugGroup,
                                                  nodeScope: SparkplugFleetOptions.NodeScope(rawValue: edgeNode ?? wire.edgeNode) ?? .line,
                                                  primaryHostID: primaryHost ?? wire.primaryHost)
    }
}
