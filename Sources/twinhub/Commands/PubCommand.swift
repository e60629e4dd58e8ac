import ArgumentParser
import Foundation
import TwinHubMQTT

/// `twinhub pub`: publish messages, like `mosquitto_pub`.
struct PubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Publish a message (or one per line of standard input), like mosquitto_pub.",
        discussion: """
            Examples:
              twinhub pub -t plant/m1/cmd -m '{"command":"start"}' -q 1
              twinhub pub -t plant/m1/status -m online -r
              journal-export | twinhub pub -t logs/line -l
            At QoS 1 and 2 each publish waits for the broker's acknowledgement; the command fails with
            the broker's reason if it refuses one.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "Topic to publish to.")
    var topic: String

    @Option(name: .shortAndLong, help: "Message payload.")
    var message: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Send the contents of a file as the payload.", valueName: "path"))
    var file: String?

    @Flag(name: [.customShort("l"), .customLong("stdin-lines")], help: "Publish each line of standard input as a message.")
    var stdinLines = false

    @Flag(name: [.customShort("n"), .customLong("null-message")], help: "Publish an empty payload (clears a retained message).")
    var nullMessage = false

    @Option(name: .shortAndLong, help: "QoS: 0, 1 or 2.")
    var qos: QoS = .atMostOnce

    @Flag(name: .shortAndLong, help: "Ask the broker to retain the message.")
    var retain = false

    @Option(name: .customLong("repeat"), help: "Publish the message this many times.")
    var repeatCount = 1

    @Option(name: .long, help: ArgumentHelp("MQTT 5 content type, e.g. application/json.", valueName: "mime"))
    var contentType: String?

    @Option(name: .customLong("user-property"), help: ArgumentHelp("MQTT 5 user property (repeatable).", valueName: "name=value"))
    var userProperties: [String] = []

    @Option(name: .long, help: ArgumentHelp("MQTT 5 message expiry.", valueName: "seconds"))
    var messageExpiry: UInt32?

    func validate() throws {
        let sources = [message != nil, file != nil, stdinLines, nullMessage].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give exactly one of --message, --file, --stdin-lines, --null-message")
        }
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1") }
        for property in userProperties where !property.contains("=") {
            throw ValidationError("--user-property '\(property)' must read name=value")
        }
        do {
            try Topic.validateName(topic)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let logger = global.bootstrapLogging()
        let configuration = try connection.clientConfiguration(broker: global.broker)
        let properties = PublishProperties(
            messageExpiry: messageExpiry, contentType: contentType,
            userProperties: userProperties.map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return .init(String(parts[0]), String(parts[1]))
            })
        let payloads = try fixedPayload()
        let (topic, qos, retain, repeatCount) = (topic, qos, retain, repeatCount)
        try await CommandLifecycle.run(logger: logger) {
            try await MQTTClient.withConnection(configuration, logger: logger) { client in
                func publish(_ payload: [UInt8]) async throws {
                    try await client.publish(PublishRequest(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties))
                }
                if let payloads {
                    for _ in 0..<repeatCount { try await publish(payloads) }
                } else {
                    while let line = readLine(strippingNewline: true) {
                        try Task.checkCancellation()
                        try await publish(Array(line.utf8))
                    }
                }
                logger.info("published", metadata: ["statistics": "\(client.statistics)"])
            }
        }
    }

    /// The payload from --message, --file or --null-message; `nil` for --stdin-lines.
    private func fixedPayload() throws -> [UInt8]? {
        if let message { return Array(message.utf8) }
        if nullMessage { return [] }
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read --file '\(file)'")
            }
            return Array(data)
        }
        return nil
    }
}
