import Foundation
import Rules
import TwinModel
import Twins

/// The twin service's decisions, with no I/O: a value that takes events (decoded messages, the clock, storage
/// outcomes) and returns actions (publications as domain values, batches to store, log lines). The runtime does the
/// rest: decoding and encoding, MQTT, the disk and timers.
///
/// It owns the twins and their rules, and decides what goes out when: snapshots at most once per twin per
/// ``Configuration/snapshotInterval``, histories per ``Configuration/historyInterval``, commands for desired states
/// again every ``Configuration/commandRetry``, refusals logged sparingly, and alert events only once the twin they
/// changed is stored, without ever holding up the messages behind them.
public struct TwinServiceCore: Sendable {
    /// How often things go out.
    public struct Configuration: Sendable {
        /// At most one snapshot per twin per interval (the latest state wins).
        public var snapshotInterval: Duration = .seconds(1)
        /// At most one history per twin per interval (histories are larger and change in every sample).
        public var historyInterval: Duration = .seconds(10)
        /// How often a command for a desired state is sent again while the machine has not complied.
        public var commandRetry: Duration = .seconds(5)
        /// Whether twins are stored. With storage an alert event waits until its twin is written; without, it goes out at once.
        public var storing = false
        /// Whether aggregates and alert counts are published from this core's twins. A partitioned instance holds
        /// only some of the plant's machines: its sums would be partial, so it publishes none (``Event/plantFigures(_:)``
        /// brings the plant's, computed from storage, to the one that holds the aggregates' lease).
        public var publishesAggregates = true

        public init() {}
    }

    /// Every twin.
    public internal(set) var store: TwinStore
    /// Every twin's rules and alerts.
    public internal(set) var rules: RuleEngine
    var pacing: PublicationPacing
    var commands: CommandRetry
    var refusals = RefusalLog()
    var writes: WriteBehind
    var gate = AlertEventGate()
    var counts = AlertCountBook()
    /// The plant's alert counts, published by the holder of the aggregates' lease.
    var plantCounts = AlertCountBook()
    var metrics = ServiceMetrics()
    /// When twins were last refreshed and the clock rules run (once a second).
    var lastRefresh: Date?
    /// Set by ``Event/stopping``: every completion writes what is left, until nothing is.
    var stopping = false
    /// Lines being handed over to another instance: their twins leave once they are stored.
    var leaving: Set<PlantPath> = []
    let publishesAggregates: Bool

    /// - Parameters:
    ///   - store: the twins to start from (empty, typically).
    ///   - rules: the alert rules per machine; `nil` runs none.
    public init(store: TwinStore, rules: RuleBook?, configuration: Configuration = .init()) {
        self.store = store
        self.rules = RuleEngine(book: rules ?? RuleBook(kinds: [:]))
        pacing = PublicationPacing(snapshotInterval: configuration.snapshotInterval, historyInterval: configuration.historyInterval)
        commands = CommandRetry(interval: configuration.commandRetry)
        writes = WriteBehind(enabled: configuration.storing)
        publishesAggregates = configuration.publishesAggregates
    }

    /// Takes one event and appends what is to be done, in order, to `actions` (which it never empties: the caller
    /// reuses one buffer, so the common case, nothing to do, allocates nothing).
    public mutating func handle(_ event: Event, into actions: inout [Action]) {
        switch event {
        case .machine(let message): ingest(message, into: &actions)
        case .acknowledgement(let message): acknowledge(message, into: &actions)
        case .refused(let message): refuse(message, into: &actions)
        case .tick(let tick): self.tick(tick, into: &actions)
        case .writeDue:
            writeUnsaved(routine: true, into: &actions)
            continueHandovers(into: &actions)
        case .storageCompleted(let batch, let stored): storageCompleted(batch, stored: stored, into: &actions)
        case .retainedDeleted(let machine, let channel, let topic):
            metrics.retainedDeleted += 1
            actions.append(.log(LogLine(level: .info, message: "retained \(channel.rawValue) of \(machine) deleted (an empty message on \(topic)); its twin keeps what it knows")))
        case .restored(let twins, let now): restore(twins, now: now, into: &actions)
        case .stopping: stop(into: &actions)
        case .adopted(let twins, let lines, let now): adopt(twins, lines: lines, now: now, into: &actions)
        case .handOver(let lines): handOver(lines, into: &actions)
        case .dropped(let lines): drop(lines)
        case .plantFigures(let twins, let now): publishPlantFigures(twins, now: now, into: &actions)
        }
    }
}
