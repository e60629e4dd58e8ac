import Foundation
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// How `twinhub web` runs: its broker connection and fleet, where it listens, and who may write.
public struct WebOptions: Sendable {
    public var connection: ClientConfiguration
    public var topics: TopicMap
    /// The kinds' interfaces (for `GET /kinds` and to check commands).
    public var kinds: [String: MachineInterface]
    /// The scenario whose floor layout is served (machines it does not place are laid out automatically).
    public var scenario: Scenario?
    /// The address to listen on; port 0 lets the system choose one.
    public var host = "127.0.0.1"
    public var port = 8080
    /// The bearer token that acknowledgements, commands and desired states need when ``writesNeedToken``.
    public var token: String?
    /// Ask for the token even on loopback.
    public var requireToken = false
    /// Origins allowed to call the API from a browser page served elsewhere (CORS); none by default.
    public var corsOrigins: [String] = []
    /// PEM files of the certificate chain and private key to serve HTTPS (and WSS) with; `nil` serves plain HTTP.
    public var tls: (certificate: String, key: String)?
    /// Messages buffered between the broker and the server's model.
    public var bufferCapacity = 100_000
    /// How long a connection's first request head may take from its first byte; slower headers are answered 408.
    public var requestHeadTimeout: Duration = .seconds(10)
    /// How long a stream client may leave a frame untaken before it is closed (1013 on a WebSocket).
    public var streamStallTimeout: Duration = .seconds(10)

    public init(connection: ClientConfiguration, topics: TopicMap, kinds: [String: MachineInterface]) {
        self.connection = connection
        self.topics = topics
        self.kinds = kinds
    }

    /// Whether writes need the token: always beyond loopback, on loopback with ``requireToken``.
    public var writesNeedToken: Bool { requireToken || !Self.isLoopback(host) }

    /// Whether `host` is a loopback address or name.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
