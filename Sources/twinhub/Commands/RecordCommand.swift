import ArgumentParser
import Foundation
import TwinHubMQTT
import TwinModel

/// `twinhub record`: MQTT traffic to a capture file, with its timing, QoS and retain flags, for `twinhub replay`.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record MQTT traffic (JSON, Sparkplug or anything) to a capture file for twinhub replay.",
        discussion: """
            Examples:
              twinhub record -t 'acme/#' -o line-2.capture                 # until Ctrl-C
              twinhub record -t 'spBv1.0/#' -t 'acme/#' -o plant.capture --duration 600
            Subscribes at QoS 2 (each message keeps its publisher's QoS) with MQTT 5's retain as published, so
            retained publications keep their flag; the broker's retained messages come first, at t = 0. Nothing
            is dropped: a slow disk pauses reading and the broker holds the rest. The file is NDJSON, described
            in docs/capture.md.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .shortAndLong, help: "Topic filter to record (repeatable; + and # allowed).")
    var topic: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The capture file to write ('-' for standard output).", valueName: "path"))
    var output: String

    @Option(name: [.customShort("C"), .customLong("count")], help: "Stop after this many messages.")
    var count: Int?

    @Option(name: .long, help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    func validate() throws {
        try TopicFilterArguments.validate(topic)
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        let logger = global.bootstrapLogging()
        var configuration = try connection.clientConfiguration(broker: global.broker)
        configuration.retainAsPublished = true
        let file = try CaptureFileWriter(path: output)
        let (filters, count, duration) = (topic, count, duration)
        let header = CaptureHeader(started: Date(), broker: configuration.broker.description, filters: filters)
        try file.write(line: CaptureCodec.line(header))
        let settings = configuration
        let recorded = try await CommandLifecycle.run(logger: logger) {
            try await MQTTClient.withConnection(settings, logger: logger) { client in
                let started = ContinuousClock.now
                let subscription = try await client.subscribe(to: filters, qos: .exactlyOnce, bufferCapacity: 10_000, whenFull: .pauseReading)
                logger.info("recording", metadata: ["filters": "\(filters)", "to": "\(file.path)"])
                let recording: @Sendable () async throws -> (messages: Int, bytes: Int) = {
                    var messages = 0, bytes = 0
                    for await message in subscription {
                        let offset = (ContinuousClock.now - started).secondsValue
                        try file.write(line: CaptureCodec.line(CapturedMessage(message, offset: offset)))
                        messages += 1
                        bytes += message.payload.count
                        if let count, messages >= count { break }
                    }
                    return (messages, bytes)
                }
                guard let duration else { return try await recording() }
                return try await withThrowingTaskGroup(of: (messages: Int, bytes: Int)?.self) { group in
                    group.addTask(operation: recording)
                    group.addTask {
                        try? await Task.sleep(for: .seconds(duration))
                        subscription.cancel()
                        return nil
                    }
                    defer { group.cancelAll() }
                    while let result = try await group.next() {
                        if let result { return result }
                    }
                    return (0, 0)
                }
            }
        }
        try file.close()
        FileHandle.standardError.write(Data("twinhub record: \(recorded.messages) messages, \(recorded.bytes) bytes of payload, to \(file.path)\n".utf8))
    }
}

/// The capture file, written a line at a time (a line is written whole or not at all, so a killed recorder leaves a
/// file that reads up to its last message).
final class CaptureFileWriter: Sendable {
    let path: String
    private let handle: FileHandle

    init(path: String) throws {
        if path == "-" {
            self.path = "standard output"
            handle = .standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ConfigurationError("cannot create the capture file '\(path)'")
        }
        self.path = path
        self.handle = handle
    }

    func write(line: String) throws {
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }

    func close() throws {
        if handle !== FileHandle.standardOutput { try handle.close() }
    }
}
