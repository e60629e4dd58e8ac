import Logging
import TwinHubMQTT

extension MachineLink {
    /// What a fleet gives every one of its links: how to connect, and where a link reports what happens to it (the
    /// fleet's counters, its log, the commands it receives). It knows nothing of the fleet, so calls go one way: the
    /// fleet drives its links, and a link never calls the fleet.
    final class Environment: Sendable {
        /// Connection settings every machine uses (URL, TLS, protocol); client ID, will, queue and announcement are
        /// set per link.
        let connection: ClientConfiguration
        /// What every machine's client ID starts with: `twinhub-sim/{root}`, and the fleet's ID if it has one, so two
        /// fleets of one scenario under other roots never take over each other's connections.
        let clientIDPrefix: String
        /// Each machine's bounded outgoing queue while its connection is down or backed up.
        let queuePerMachine: Int
        let eventLoop: MQTTEventLoop
        let logger: Logger
        /// What the links published, suppressed and dropped, and how often they reconnected.
        let counters: FleetCounters
        /// Where the links put the commands they receive.
        let commands: CommandInbox

        init(connection: ClientConfiguration, clientIDPrefix: String, queuePerMachine: Int, eventLoop: MQTTEventLoop, logger: Logger,
             counters: FleetCounters, commands: CommandInbox) {
            self.connection = connection
            self.clientIDPrefix = clientIDPrefix
            self.queuePerMachine = queuePerMachine
            self.eventLoop = eventLoop
            self.logger = logger
            self.counters = counters
            self.commands = commands
        }
    }
}
