import ArgumentParser
import Foundation
import TwinHubMQTT

/// `twinhub replay`: publishes a capture of `twinhub record` again, at its pace or faster.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Publish a capture of twinhub record again, with its timing, QoS and retain flags.",
        discussion: """
            Examples:
              twinhub replay line-2.capture --broker mqtt://platform.example:1883
              twinhub replay line-2.capture --speed 10 --loop --remap acme=test-plant
              twinhub replay plant.capture --remap spBv1.0/leuven=spBv1.0/lab --speed 0   # as fast as the broker takes
            Each message goes out at its time in the capture divided by --speed, on its topic after the first
            --remap whose OLD prefix (whole levels) it begins with. A file that cannot be read is refused before
            anything is published, with the line and the reason. Looping replays the same bytes: Sparkplug's seq
            and bdSeq start over with each pass, as after a restart of the node.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("The capture file, from twinhub record.", valueName: "file"))
    var file: String

    @Option(name: .long, help: "Speed: 2 replays twice as fast, 0 as fast as the broker takes.")
    var speed = 1.0

    @Flag(name: .long, help: "Start again from the beginning at the end, until stopped.")
    var loop = false

    @Option(name: .long, help: ArgumentHelp("Topics beginning with OLD's levels begin with NEW instead (repeatable; the first that applies wins).",
                                            valueName: "OLD=NEW"))
    var remap: [String] = []

    func validate() throws {
        guard speed >= 0, speed.isFinite else { throw ValidationError("--speed must be 0 or more") }
        for text in remap {
            do {
                _ = try TopicRemap(text)
            } catch {
                throw ValidationError("--remap: \(error.description)")
            }
        }
    }

    func run() async throws {
        let logger = global.bootstrapLogging()
        let (header, messages) = try Self.read(file)
        let remaps = try remap.map { try TopicRemap($0) }
        let requests = try messages.map { message in
            try PublishRequest(topic: TopicRemap.apply(remaps, to: message.topic), payload: message.payload, qos: message.qos,
                               retain: message.retain, properties: message.properties)
        }
        var configuration = try connection.clientConfiguration(broker: global.broker)
        configuration.outgoingQueue.capacity = max(configuration.outgoingQueue.capacity, requests.count + 1)
        let offsets = messages.map(\.offset)
        let (speed, loop) = (speed, loop)
        logger.info("replaying", metadata: ["messages": "\(messages.count)", "recorded": "\(header.started)", "from": "\(header.broker)"])
        let settings = configuration
        let sent = try await CommandLifecycle.run(logger: logger) {
            try await MQTTClient.withConnection(settings, logger: logger) { client in
                var sent = 0
                repeat {
                    let start = ContinuousClock.now
                    for (request, offset) in zip(requests, offsets) {
                        if speed > 0 {
                            let due = start + .seconds(offset / speed)
                            if due > .now { try await Task.sleep(until: due) }
                        }
                        try Task.checkCancellation()
                        try client.send(request)
                        sent += 1
                    }
                } while loop && !Task.isCancelled && !requests.isEmpty
                return sent
            }
        }
        FileHandle.standardError.write(Data("twinhub replay: \(sent) messages published from \(file)\n".utf8))
    }

    /// The capture's header and messages, every line checked before anything is published.
    /// - Throws: ``ConfigurationError`` naming the file, the line and the reason.
    static func read(_ path: String) throws -> (CaptureHeader, [CapturedMessage]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("cannot read the capture file '\(path)'") }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        if lines.last?.isEmpty == true { lines.removeLast() }
        do {
            guard let first = lines.first else { throw CaptureError(line: 1, "the file is empty") }
            let header = try CaptureCodec.header(first)
            var messages: [CapturedMessage] = []
            for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
                messages.append(try CaptureCodec.message(line, line: index + 1))
            }
            return (header, messages)
        } catch let error as CaptureError {
            throw ConfigurationError("\(path):\(error.line): \(error.reason)")
        }
    }
}
