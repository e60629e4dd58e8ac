import SchemaSupport
import Foundation
import Testing
import TwinModel
import TwinHubProtocol

/// The repository's folders and machine kinds.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = root.appendingPathComponent("schemas")
    static let kinds: [String: MachineKind] = try! KindLoader.loadDirectory(root.appendingPathComponent("twins").path)

    /// A scenario of enterprise `acme` with one early shift (06:00–14:00), set-up at its start and microstops; `sites`
    /// is its `sites:` list, indented by two spaces.
    static func scenario(_ name: String, start: String, seed: Int, sites: String) throws -> Scenario {
        try ScenarioLoader.load(yaml: """
            scenario: \(name)
            enterprise: acme
            seed: \(seed)
            start: "\(start)"
            shifts:
              - { name: early, start: "06:00", end: "14:00" }
            setup_time: 5m
            microstops: { per_hour: 2, duration: 2m }
            sites:
            \(sites)
            """, file: "\(name).yaml", kinds: kinds)
    }

    /// The shipped schemas, loaded and checked.
    static func validator() throws -> SchemaValidator {
        try SchemaValidator(directory: schemas)
    }
}

/// Every message type TwinHub sends or receives, by its schema in `schemas/`. The coverage test holds this list to
/// the folder, and ``PlantRun`` to producing each.
enum MessageSchema: String, CaseIterable, Sendable {
    case telemetry, state, counters, status, cmd, desired
    case twin, history, kpi
    case alert, alertEvent = "alert-event", alertCounts = "alert-counts", alertAck = "alert-ack"
    case metrics, deadLetter = "dead-letter"

    var file: String { "\(rawValue).schema.json" }
    var id: String { "https://twinhub.dev/schemas/\(file)" }
}

extension SchemaValidator {
    /// Records an issue for every problem of `payload` against `schema`, with the payload.
    func expectValid(_ payload: [UInt8], _ schema: MessageSchema, _ context: @autoclosure () -> String = "",
                     sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let problems = validate(payload, against: schema.file)
        #expect(problems.isEmpty, "\(schema.file)\(context().isEmpty ? "" : " (\(context()))"): \(problems.map(\.description).joined(separator: "; ")) in \(String(decoding: payload, as: UTF8.self).prefix(2000))",
                sourceLocation: sourceLocation)
    }

    /// The keywords of the problems of `payload` against `schema`, sorted: for tests that a payload is refused, and why.
    func refusals(_ payload: String, _ schema: MessageSchema) -> [String] {
        validate(Array(payload.utf8), against: schema.file).map { "\($0.path): \($0.keyword)" }.sorted()
    }
}

/// A time on 2 March 2026 (UTC), `HH:MM:SS`.
func at(_ time: String) -> Date {
    ISO8601Parsing.date("2026-03-02T\(time).000Z")!
}

extension MessageSchema {
    /// The schema of the messages on `topic`, read back with the topic map; `nil` for a topic TwinHub does not use.
    init?(topic: String, in topics: TopicMap) {
        if let address = topics.machineTopic(of: topic) {
            switch address.channel {
            case .telemetry: self = .telemetry
            case .state: self = .state
            case .counters: self = .counters
            case .status: self = .status
            case .cmd: self = .cmd
            case .desired: self = .desired
            case .twin: self = .twin
            case .history: self = .history
            }
        } else if let alert = topics.alertTopic(of: topic) {
            self = alert.isAcknowledgement ? .alertAck : .alert
        } else if topic == topics.alertEvents {
            self = .alertEvent
        } else if topic == topics.serviceMetrics {
            self = .metrics
        } else if topic.hasPrefix(topics.deadLetter(reason: "")) {
            self = .deadLetter
        } else if let aggregate = topics.aggregateTopic(of: topic) {
            self = aggregate.channel == .kpi ? .kpi : .alertCounts
        } else {
            return nil
        }
    }
}
