import Foundation
import Rules
import TwinModel
@testable import TwinServiceCore
import TwinStorage
import Twins
import TwinHubProtocol

/// Seconds after 06:00 on 2 March 2026 (UTC): the virtual clock of these tests, the machines' and the wall's.
func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_772_431_200 + seconds) }

/// A core with one kind of machine (a temperature probe whose `hot` alert is raised above 70 °C), fed by hand on a
/// virtual clock. Every call returns the actions of its event.
struct CoreBench {
    static let kind = try! KindLoader.load(yaml: """
        kind: oven
        sample_interval: 1s
        properties:
          temp: { unit: °C, normal: [0, 80], limits: [-50, 300] }
        rules:
          - { id: hot, threshold: { property: temp, above: 70 } }
        """, file: "oven.yaml")

    static func path(_ machine: String) -> PlantPath { PlantPath(site: "site", area: "area", line: "line", machine: machine) }

    var core: TwinServiceCore
    private var sequences: [String: UInt64] = [:]

    init(storing: Bool, rules: Bool = true) {
        var configuration = TwinServiceCore.Configuration()
        configuration.storing = storing
        self.init(configuration: configuration, rules: rules)
    }

    init(configuration: TwinServiceCore.Configuration, rules: Bool = true) {
        let kinds = [Self.kind.id: Self.kind]
        core = TwinServiceCore(store: TwinStore(kinds: kinds.mapValues(\.interface)), rules: rules ? RuleBook(kinds: kinds) : nil, configuration: configuration)
    }

    mutating func handle(_ event: TwinServiceCore.Event) -> [TwinServiceCore.Action] {
        var actions: [TwinServiceCore.Action] = []
        core.handle(event, into: &actions)
        return actions
    }

    private mutating func nextSequence(_ machine: String) -> UInt64 {
        sequences[machine, default: 0] += 1
        return sequences[machine]!
    }

    private mutating func message(_ machine: String, _ channel: TopicMap.Channel, _ decoded: Result<TwinStore.Decoded, PayloadError>,
                                  at time: Double) -> [TwinServiceCore.Action] {
        handle(.machine(TwinServiceCore.MachineMessage(machine: Self.path(machine), channel: channel, decoded: decoded,
                                                       topic: "t/\(machine)/\(channel.rawValue)", payload: Array("p".utf8), received: at(time))))
    }

    @discardableResult
    mutating func telemetry(_ machine: String, temp: Double, at time: Double) -> [TwinServiceCore.Action] {
        let sample = TelemetrySample(time: at(time), sequence: nextSequence(machine), values: [.init(property: "temp", value: temp, unit: "°C")])
        return message(machine, .telemetry, .success(.telemetry(.init(machine: machine, kind: "oven", sample: sample))), at: time)
    }

    @discardableResult
    mutating func state(_ machine: String, _ state: MachineState, at time: Double) -> [TwinServiceCore.Action] {
        let change = StateChange(time: at(time), sequence: nextSequence(machine), state: state, previous: .idle, reason: "test")
        return message(machine, .state, .success(.state(change)), at: time)
    }

    @discardableResult
    mutating func status(_ machine: String, online: Bool, at time: Double) -> [TwinServiceCore.Action] {
        message(machine, .status, .success(.status(.init(online: online, time: at(time), reason: online ? "up" : "will"))), at: time)
    }

    @discardableResult
    mutating func desired(_ machine: String, _ state: MachineState, at time: Double) -> [TwinServiceCore.Action] {
        message(machine, .desired, .success(.desired(state)), at: time)
    }

    @discardableResult
    mutating func undecodable(_ machine: String, _ code: PayloadError.Code, at time: Double) -> [TwinServiceCore.Action] {
        message(machine, .telemetry, .failure(PayloadError(code, "bad")), at: time)
    }

    @discardableResult
    mutating func tick(at time: Double, metrics: Bool = false) -> [TwinServiceCore.Action] {
        handle(.tick(.init(now: at(time), metrics: metrics ? .init(dropped: 3, heapBytes: 4096) : nil)))
    }

    @discardableResult
    mutating func completed(_ batch: PersistBatch, stored: Bool = true) -> [TwinServiceCore.Action] {
        handle(.storageCompleted(batch.id, stored: stored))
    }
}

/// What a list of actions says, in the terms the tests check.
extension Array where Element == TwinServiceCore.Action {
    var publications: [TwinServiceCore.Publication] {
        compactMap { if case .publish(let publication) = $0 { publication } else { nil } }
    }

    /// Machines whose snapshot goes out.
    var snapshots: [String] {
        publications.compactMap { if case .snapshot(let twin) = $0 { twin.address.name } else { nil } }
    }

    /// Machines whose history goes out.
    var histories: [String] {
        publications.compactMap { if case .history(let twin) = $0 { twin.address.name } else { nil } }
    }

    /// Commands as "machine command".
    var commands: [String] {
        publications.compactMap { if case .command(let path, let command) = $0 { "\(path.name) \(command.command.rawValue)" } else { nil } }
    }

    /// Alert events as "event machine".
    var alertEvents: [String] {
        publications.compactMap { if case .alertEvent(let event, _) = $0 { "\(event.kind.rawValue) \(event.alert.address.name)" } else { nil } }
    }

    /// Retained alerts as "machine/rule".
    var alerts: [String] {
        publications.compactMap { if case .alert(let alert) = $0 { "\(alert.address.name)/\(alert.rule)" } else { nil } }
    }

    var deadLetters: [TwinServiceCore.DeadLetter] {
        publications.compactMap { if case .deadLetter(let letter) = $0 { letter } else { nil } }
    }

    var aggregates: [PlantPath] {
        publications.compactMap { if case .aggregate(let path, _) = $0 { path } else { nil } }
    }

    var metrics: [ServiceMetricsMessage] {
        publications.compactMap { if case .metrics(let report) = $0 { report } else { nil } }
    }

    var batches: [PersistBatch] {
        compactMap { if case .persist(let batch) = $0 { batch } else { nil } }
    }

    var logLines: [String] {
        compactMap { if case .log(let line) = $0 { line.message } else { nil } }
    }

    var flushed: Bool {
        contains { if case .flushed = $0 { true } else { false } }
    }
}

extension PersistBatch {
    /// The machines in the batch.
    var machines: [String] { entries.map(\.twin.address.name).sorted() }
}
