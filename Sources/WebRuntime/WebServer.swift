import ConsoleRuntime
import FleetView
import Foundation
import NIOCore
import NIOSSL
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import Synchronization
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import WebView

/// `twinhub web`: an MQTT client like the console, which keeps a ``WebFleet`` from what the twin service publishes
/// (never its memory), and serves it over HTTP: the API under `/api/v1` (``WebAPI``) and the floor view at `/`.
/// Acknowledgements, commands and desired states go out over MQTT as the console sends them.
public final class WebServer: Sendable {
    public let options: WebOptions
    let logger: Logger
    let api: WebAPI
    let decoder: ServiceMessageDecoder
    let client: MQTTClient
    let fleet: Mutex<WebFleet>
    let histories: HistoryFetcher
    let counters = WebCounters()
    /// The stream clients' shared feeds.
    let hub = StreamHub()
    /// The TLS configuration, read from ``WebOptions/tls`` at start.
    let tls: TLSConfiguration?

    /// - Throws: ``WebConfigurationError`` when writes would need a token and none is given.
    public init(options: WebOptions, logger: Logger) throws {
        if options.writesNeedToken && (options.token ?? "").isEmpty {
            throw WebConfigurationError(description: options.requireToken
                ? "--require-token needs a token (--token-file)"
                : "listening on \(options.host), beyond loopback, needs a token for writes (--token-file)")
        }
        self.options = options
        self.logger = logger
        tls = try options.tls.map(Self.tlsConfiguration)
        api = WebAPI(kinds: options.kinds, scenario: options.scenario)
        decoder = ServiceMessageDecoder(topics: options.topics)
        var configuration = options.connection
        if configuration.clientID == nil {
            configuration.clientID = "twinhub-web-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        }
        // The server serves from its start, its health saying the broker is not connected until it is.
        configuration.reconnect.retriesFirstConnection = true
        configuration.reconnect.maximumDelay = min(configuration.reconnect.maximumDelay, .seconds(10))
        client = try MQTTClient(configuration, logger: logger)
        fleet = Mutex(WebFleet(model: FleetModel(broker: configuration.broker.description, root: options.topics.root), decoder: decoder))
        histories = HistoryFetcher(client: client, decoder: decoder)
    }

    /// Connects, serves until cancelled, then disconnects. `listening` gets the port once the server accepts
    /// connections (the one the system chose, for port 0).
    public func run(listening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let state = try await client.subscribe(to: decoder.stateFilters, qos: .atMostOnce, bufferCapacity: options.bufferCapacity)
        let alerts = try await client.subscribe(to: decoder.alertFilters, qos: .atLeastOnce, bufferCapacity: options.bufferCapacity)
        let webSocketResponder = makeWebSocketRouter().buildResponder()
        let channel = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: .seconds(Self.idleSeconds)),
            ws: .init(maxFrameSize: Self.maximumFrame, autoPing: .enabled(timePeriod: .seconds(20))))
        let headLimit = TimeAmount(options.requestHeadTimeout)
        let plain = HTTPServerBuilder { [counters] responder in
            HeadDeadlineChannel(base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: channel),
                                limit: headLimit, expired: { counters.refuse(status: 408) })
        }
        let application = Application(
            router: makeRouter(),
            server: try tls.map { try HTTPServerBuilder.tls(plain, tlsConfiguration: $0) } ?? plain,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "twinhub"),
            onServerRunning: { channel in listening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await status in client.stateUpdates() {
                    fleet.withLock { $0.setConnection(ConnectionStatus(status)) }
                }
            }
            for subscription in [state, alerts] {
                group.addTask { [self] in
                    for await message in subscription {
                        fleet.withLock { $0.apply(topic: message.topic, payload: message.payload, at: Date()) }
                    }
                }
            }
            group.addTask {
                try await application.run()
            }
            // Waits for the broker as long as it takes (the client retries the first connection, set in `init`), or
            // until the server stops: `connect()` waits on regardless of cancellation, so closing the client ends it.
            group.addTask { [client] in
                try await withTaskCancellationHandler {
                    try await client.connect()
                } onCancel: {
                    Task { await client.abort() }
                }
            }
            // Every part runs until the server stops; the first failure (the port taken) stops the others.
            do {
                while try await group.next() != nil {}
            } catch {
                group.cancelAll()
                throw error
            }
        }
        await client.disconnect()
    }

    /// The server's TLS configuration from PEM files; a file that cannot be read says which and why.
    static func tlsConfiguration(_ files: (certificate: String, key: String)) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw WebConfigurationError(description: "cannot read the certificate '\(files.certificate)' (PEM): \(error)")
        }
        guard !chain.isEmpty else { throw WebConfigurationError(description: "the certificate file '\(files.certificate)' holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw WebConfigurationError(description: "cannot read the private key '\(files.key)' (PEM, unencrypted): \(error)")
        }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }

    /// Seconds an HTTP connection may stay idle: one that never sends, or a kept-alive one between requests.
    static let idleSeconds: Int64 = 30

    /// Sends what a user asked for over MQTT, as the console does (QoS 1).
    func send(_ intent: FleetIntent) throws {
        let message = intent.message(in: options.topics)
        try client.send(PublishRequest(topic: message.topic, payload: message.payload, qos: .atLeastOnce))
    }
}

/// A configuration `twinhub web` cannot run with.
public struct WebConfigurationError: Error, CustomStringConvertible {
    public let description: String
}
