import ArgumentParser
import Foundation
import TwinHubMQTT

/// `twinhub sub`: print messages, like `mosquitto_sub`.
struct SubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sub",
        abstract: "Subscribe and print messages, like mosquitto_sub.",
        discussion: """
            Examples:
              twinhub sub -t 'plant/#' -v
              twinhub sub -t 'plant/+/status' --json | jq .
              twinhub sub -t alerts/# -C 1 -W 30      # wait up to 30 s for one message
            Prints the payload per line; with -v 'topic payload'; with --json one JSON object per
            line: topic, payload (text, or payload_base64), qos, retain, properties.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "Topic filter to subscribe to (repeatable; + and # allowed).")
    var topic: [String]

    @Option(name: .shortAndLong, help: "Maximum QoS to receive at: 0, 1 or 2.")
    var qos: QoS = .atMostOnce

    @Option(name: [.customShort("C"), .customLong("count")], help: "Exit after this many messages.")
    var count: Int?

    @Option(name: [.customShort("W"), .customLong("timeout")], help: ArgumentHelp("Fail if the messages have not arrived within this many seconds.", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .shortAndLong, help: "Print the topic before each payload.")
    var verbose = false

    @Flag(name: .long, help: "Print each message as one JSON object per line (NDJSON).")
    var json = false

    @Flag(name: [.customShort("R"), .customLong("no-retained")], help: "Skip messages delivered from the broker's retained store.")
    var noRetained = false

    @Option(name: .long, help: "Messages buffered for a slow output before the oldest are dropped (and counted).")
    var bufferCapacity = MQTTClient.defaultBufferCapacity

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        guard !(json && verbose) else { throw ValidationError("choose --json or --verbose, not both") }
        try TopicFilterArguments.validate(topic)
    }

    func run() async throws {
        let logger = global.bootstrapLogging()
        let configuration = try connection.clientConfiguration(broker: global.broker)
        let (filters, qos, count, timeout, bufferCapacity) = (topic, qos, count, timeout, bufferCapacity)
        let format = MessageFormat(json: json, verbose: verbose)
        let noRetained = noRetained
        let received = try await CommandLifecycle.run(logger: logger) {
            try await MQTTClient.withConnection(configuration, logger: logger) { client in
                let subscription = try await client.subscribe(to: filters, qos: qos, bufferCapacity: bufferCapacity)
                logger.info("subscribed", metadata: ["filters": "\(filters)", "broker": "\(configuration.broker)"])
                let printing: @Sendable () async throws -> Int = {
                    var printed = 0
                    for await message in subscription {
                        if noRetained && message.retain { continue }
                        Output.line(format.render(message))
                        printed += 1
                        if let count, printed >= count { break }
                    }
                    return printed
                }
                let printed: Int
                if let timeout {
                    printed = try await withThrowingTaskGroup(of: Int.self) { group in
                        group.addTask(operation: printing)
                        group.addTask {
                            try await Task.sleep(for: .seconds(timeout))
                            throw SubTimeout(seconds: timeout)
                        }
                        defer { group.cancelAll() }
                        return try await group.next()!
                    }
                } else {
                    printed = try await printing()
                }
                if subscription.droppedCount > 0 {
                    logger.warning("dropped \(subscription.droppedCount) messages: output too slow for --buffer-capacity \(bufferCapacity)")
                }
                return printed
            }
        }
        logger.info("received \(received) messages")
    }
}

/// `--timeout` elapsed before `--count` messages arrived.
struct SubTimeout: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "timed out after \(seconds) s waiting for messages" }
}
