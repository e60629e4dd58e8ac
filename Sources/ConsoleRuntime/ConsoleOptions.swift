import FleetView
import Console
import Foundation
import TwinHubMQTT
import TwinModel
import TwinHubProtocol

/// How a console connects and what it shows.
public struct ConsoleOptions: Sendable {
    /// The broker connection. The console asks for a persistent session under ``sessionExpiry`` so that a short
    /// disconnect loses no alert event (QoS 1).
    public var connection: ClientConfiguration
    public var topics: TopicMap
    /// Who acknowledges alerts.
    public var user: String
    /// The faults of each kind, for the fault menu.
    public var faults: [String: [FaultChoice]]
    /// How long the broker keeps the console's session after the connection drops.
    public var sessionExpiry: Duration = .seconds(300)
    /// Messages buffered for a slow screen before the oldest are dropped (and counted).
    public var bufferCapacity = 65_536

    public init(connection: ClientConfiguration, topics: TopicMap, user: String, faults: [String: [FaultChoice]] = [:]) {
        self.connection = connection
        self.topics = topics
        self.user = user
        self.faults = faults
    }

    /// The client configuration: a stable client ID for this process and a persistent session.
    var sessionConfiguration: ClientConfiguration {
        var configuration = connection
        if configuration.clientID == nil {
            let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
            configuration.clientID = "twinhub-console-\(host)-\(ProcessInfo.processInfo.processIdentifier)"
        }
        configuration.session = .persistent(expiry: sessionExpiry)
        return configuration
    }
}

extension ConnectionStatus {
    /// A screen's view of a client connection state.
    public init(_ state: ConnectionState) {
        switch state {
        case .idle, .connecting: self = .connecting
        case .connected(let sessionPresent): self = .connected(resumed: sessionPresent)
        case .reconnecting(let attempt, _, let error): self = .reconnecting(attempt: attempt, reason: error.reason)
        case .closed(let error): self = .closed(reason: error?.reason)
        }
    }
}
