import ArgumentParser
import ConsoleRuntime
import Foundation
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import WebRuntime

/// `twinhub web`: the HTTP and WebSocket API and the browser floor view.
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Serve the fleet over HTTP: a JSON API for VR, 3D and web clients, and a floor view for the browser.",
        discussion: """
            An MQTT client like the console: everything it serves comes from what the twin service publishes.
            The API is under /api/v1 (openapi/twinhub-web.yaml describes it): twins, their history, the floor
            layout, alerts, kinds, KPIs and health; acknowledgements, commands and desired states go out over MQTT.
            Reads are open; writes need a bearer token (--token-file) when listening beyond loopback, or always
            with --require-token. --tls-cert and --tls-key serve HTTPS and WSS. Examples:
              twinhub web --root acme --scenario factory_demo
              twinhub web --root acme --listen 0.0.0.0:8080 --token-file ~/.config/twinhub/token
              curl -s localhost:8080/api/v1/twins?path=leuven/%23 | jq .
            Without --root, the server looks for the one twin service on the broker and waits for one to start.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Topic root of the fleet (default: the enterprise of --scenario, else the one twin service found on the broker).",
                               valueName: "root"))
    var root: String?

    @Option(help: ArgumentHelp("Address to listen on (port 0: any free port).", valueName: "host:port"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Scenario whose floor layout is served (file or name); machines it does not place are laid out automatically.",
                               valueName: "scenario"))
    var scenario: String?

    @Option(help: ModelFiles.twinsHelp)
    var twins: String?

    @Option(help: ArgumentHelp("File whose first line is the bearer token that writes need.", valueName: "file"))
    var tokenFile: String?

    @Flag(help: "Ask for the token even on loopback.")
    var requireToken = false

    @Option(help: ArgumentHelp("An origin allowed to call the API from a page served elsewhere (CORS); repeat for more.", valueName: "origin"))
    var corsOrigin: [String] = []

    @Option(help: ArgumentHelp("PEM certificate chain to serve HTTPS and WSS with (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert (unencrypted).", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        _ = try Self.address(listen)
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
    }

    /// `host:port`, `[v6]:port` or `:port`.
    static func address(_ text: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be host:port, such as 127.0.0.1:8080 or 0.0.0.0:8080, not '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    func run() async throws {
        let logger = global.bootstrapLogging()
        let kinds = try ModelFiles.kinds(overriddenBy: twins)
        let scenario = try self.scenario.map { try ModelFiles.scenario($0, kinds: kinds) }
        let configuration = try connection.clientConfiguration(broker: global.broker)
        let root: String
        if let given = self.root ?? scenario?.enterprise {
            root = given
        } else {
            root = try await RootDiscovery.single(configuration, timeout: nil, logger: logger) { notice in
                FileHandle.standardError.write(Data("twinhub web: \(notice)\n".utf8))
            }
        }
        let topics: TopicMap
        do {
            topics = try TopicMap(root: root)
        } catch {
            throw ValidationError(error.description)
        }
        var options = WebOptions(connection: configuration, topics: topics, kinds: kinds.mapValues(\.interface))
        (options.host, options.port) = try Self.address(listen)
        options.scenario = scenario
        options.requireToken = requireToken
        options.corsOrigins = corsOrigin
        if let tokenFile { options.token = try Self.token(from: tokenFile) }
        if let tlsCert, let tlsKey { options.tls = (tlsCert, tlsKey) }
        let server: WebServer
        do {
            server = try WebServer(options: options, logger: logger)
        } catch let error as WebConfigurationError {
            throw ConfigurationError(error.description)
        }
        let host = options.host, scheme = options.tls == nil ? "http" : "https"
        let runner = WebServer.Runner(server) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardError.write(Data("twinhub web: serving \(topics.root)/ at \(scheme)://\(shown):\(port)/ (API: /api/v1)\n".utf8))
        }
        try await CommandLifecycle.run([CommandLifecycle.part(runner, named: "web server")], logger: logger)
    }

    /// The first line of `path`, which must not be empty.
    static func token(from path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ConfigurationError("cannot read the token file '\(path)'") }
        let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !token.isEmpty else { throw ConfigurationError("the token file '\(path)' has no token on its first line") }
        return token
    }
}
