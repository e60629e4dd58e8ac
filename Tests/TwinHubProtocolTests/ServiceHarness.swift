import Foundation
import Logging
import Rules
@testable import TwinService
import TwinServiceCore
import TwinHubMQTT
import TwinModel
import Twins
import TwinHubProtocol

/// The twin service without its MQTT connection: its pure core (``TwinServiceCore``) fed messages and clock ticks,
/// with the runtime's own decoding and encoding (`TwinService.event(of:)` and `encode(_:)`, which `twinhub serve`
/// runs between the broker and the core). What the service would publish is kept in ``published``, the commands it
/// would send in ``commands``.
struct ServiceHarness {
    /// A message the service published (or would have).
    struct Publication: Sendable {
        var topic: String
        var schema: MessageSchema
        var payload: [UInt8]
    }

    /// The runtime, for its codec only: it is never run, so it never connects.
    let service: TwinService
    var core: TwinServiceCore
    private(set) var published: [Publication] = []
    /// Commands sent to machines, in order.
    private(set) var commands: [(address: PlantPath, payload: [UInt8])] = []

    init(root: String, kinds: [String: MachineKind], rules: RuleBook?, settings: TwinSettings = .init(),
         unknownKinds: TwinStore.UnknownKindPolicy = .generic) throws {
        var options = TwinService.Options(connection: try ClientConfiguration(url: "mqtt://127.0.0.1:1"), topics: try TopicMap(root: root),
                                          kinds: kinds.mapValues(\.interface))
        options.settings = settings
        options.unknownKinds = unknownKinds
        options.rules = rules
        service = TwinService(options: options, logger: Logger(label: "harness"))
        core = TwinServiceCore(store: TwinStore(kinds: options.kinds, settings: settings, unknownKinds: unknownKinds,
                                                maximumPayload: options.maximumPayload),
                               rules: rules)
    }

    var topics: TopicMap { service.options.topics }
    var store: TwinStore { core.store }

    /// The payloads published and not taken yet with `schema` (not the empty ones that clear a closed alert's retained
    /// topic).
    func payloads(_ schema: MessageSchema) -> [[UInt8]] {
        published.filter { $0.schema == schema && !$0.payload.isEmpty }.map(\.payload)
    }

    /// Takes what was published so far.
    mutating func takePublished() -> [Publication] {
        defer { published = [] }
        return published
    }

    /// Takes the commands sent so far.
    mutating func takeCommands() -> [(address: PlantPath, payload: [UInt8])] {
        defer { commands = [] }
        return commands
    }

    /// A message on `topic`, received at `now` after waiting `waited` between the MQTT client and the core: a
    /// machine's or an acknowledgement, as the runtime decodes it.
    mutating func receive(_ payload: [UInt8], on topic: String, at now: Date, waited: Duration? = nil) {
        guard let event = service.event(of: MQTTMessage(topic: topic, payload: payload)) else { return }
        switch event {
        case .machine(var message):
            message.received = now
            message.waited = waited
            handle(.machine(message))
        case .acknowledgement(var message):
            message.received = now
            handle(.acknowledgement(message))
        default:
            handle(event)
        }
    }

    /// The service's clock at `now` with aggregates and metrics due, the runtime's figures being `figures`.
    mutating func tick(at now: Date, figures: ServiceMetrics.RuntimeFigures = .init(dropped: 0, heapBytes: 48_000_000)) {
        handle(.tick(TwinServiceCore.Tick(now: now, metrics: figures)))
    }

    private mutating func handle(_ event: TwinServiceCore.Event) {
        var actions: [TwinServiceCore.Action] = []
        core.handle(event, into: &actions)
        for case .publish(let publication) in actions {
            let encoded = service.encode(publication)
            if case .command(let path, _) = publication {
                commands.append((path, encoded.payload))
            } else {
                published.append(Publication(topic: encoded.topic, schema: Self.schema(of: publication), payload: encoded.payload))
            }
        }
    }

    /// The schema a publication's payload is written to.
    private static func schema(of publication: TwinServiceCore.Publication) -> MessageSchema {
        switch publication {
        case .snapshot: .twin
        case .history: .history
        case .aggregate: .kpi
        case .alertCounts: .alertCounts
        case .alert: .alert
        case .alertEvent: .alertEvent
        case .metrics: .metrics
        case .deadLetter: .deadLetter
        case .command: .cmd
        }
    }
}
