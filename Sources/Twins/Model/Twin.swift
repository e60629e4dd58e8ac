import Foundation
import TwinModel

/// The live model of one machine, built only from what arrives on its topics. Pure: every change comes
/// through an `apply` method with the time it was received, so it is tested without a broker or a clock.
///
/// A twin is never corrupted by bad input: a message is checked whole before anything changes, and a
/// reading that cannot be right (beyond the kind's physical limits, wrong unit, unknown property) is
/// refused while the rest of its message applies. Every change increments ``version``.
public struct Twin: Sendable {
    public let address: MachineAddress
    /// The machine's kind, when known (a machine of a kind not in `twins/` gets a generic twin).
    public private(set) var kind: MachineKind?
    public let settings: TwinSettings
    public private(set) var version: UInt64 = 0
    public private(set) var reported: [String: ReportedProperty] = [:]
    public private(set) var state: MachineState = .offline
    public private(set) var stateSince: Date?
    public private(set) var stateReason = ""
    public private(set) var connectivity = Connectivity()
    public private(set) var counters: ProductionCounters?
    /// The state someone asked for; `nil` once the machine reports it.
    public private(set) var desiredState: MachineState?
    public private(set) var history: [String: SampleHistory] = [:]
    public private(set) var kpi: KPITracker
    /// The machine's own clock: the latest source timestamp seen. KPIs run on it (a simulated fleet's
    /// time is not the wall clock); staleness runs on receive times.
    public private(set) var machineTime: Date?
    private var lastSequence: (telemetry: UInt64?, state: UInt64?, counters: UInt64?) = (nil, nil, nil)

    public init(address: MachineAddress, kind: MachineKind?, settings: TwinSettings = .init()) {
        self.address = address
        self.kind = kind
        self.settings = settings
        kpi = KPITracker(configuration: settings.kpi)
    }

    /// Types a twin first seen without its kind (through its state or status, before any telemetry).
    public mutating func adopt(_ kind: MachineKind) {
        guard self.kind == nil else { return }
        self.kind = kind
        version += 1
    }

    // MARK: Telemetry

    /// Applies a telemetry sample received at `received`.
    /// - Returns: what was refused (the whole message, or single readings), for counting and dead letters.
    @discardableResult
    public mutating func apply(_ sample: TelemetrySample, received: Date) -> [Refusal] {
        if let refusal = checkSequence(sample.sequence, last: lastSequence.telemetry) { return [refusal] }
        var refusals: [Refusal] = []
        var changed = false
        for reading in sample.values {
            guard let spec = kind?.property(named: reading.property) else {
                if kind == nil {
                    store(reading, quality: .good, source: sample.time, received: received)
                    changed = true
                } else {
                    refusals.append(Refusal(.unknownProperty, "\(kind!.id) has no property '\(reading.property)'"))
                }
                continue
            }
            guard reading.unit == spec.unit else {
                refusals.append(Refusal(.unitMismatch, "'\(reading.property)' is in \(spec.unit), not \(reading.unit)"))
                continue
            }
            guard spec.limits.contains(reading.value) else {
                refusals.append(Refusal(.impossibleValue, "'\(reading.property)' = \(reading.value) \(spec.unit) is outside what the machine can do (\(spec.limits))"))
                if var property = reported[reading.property], property.quality != .bad {
                    property.quality = .bad
                    reported[reading.property] = property
                    changed = true
                }
                continue
            }
            store(reading, quality: spec.normal.contains(reading.value) ? .good : .outOfRange, source: sample.time, received: received)
            changed = true
        }
        lastSequence.telemetry = sample.sequence
        tick(sample.time)
        heard(at: received)
        if changed { version += 1 }
        return refusals
    }

    private mutating func store(_ reading: TelemetrySample.Reading, quality: ReportedProperty.Quality, source: Date, received: Date) {
        reported[reading.property] = ReportedProperty(value: reading.value, unit: reading.unit, sourceTime: source, receiveTime: received, quality: quality)
        history[reading.property, default: SampleHistory(capacity: settings.historySize)].append(reading.value, at: source)
    }

    // MARK: State, counters, status

    /// Applies a state change; a desired state the machine now reports is fulfilled.
    @discardableResult
    public mutating func apply(_ change: StateChange, received: Date) -> [Refusal] {
        // Sequence 0 is the simulator's announcement at start-up: accept it whatever came before.
        if change.sequence > 0, let refusal = checkSequence(change.sequence, last: lastSequence.state) { return [refusal] }
        lastSequence.state = change.sequence
        kpi.observe(state: change.state, at: change.time)
        tick(change.time)
        state = change.state
        stateSince = change.time
        stateReason = change.reason
        if desiredState == change.state { desiredState = nil }
        heard(at: received)
        version += 1
        return []
    }

    @discardableResult
    public mutating func apply(_ newCounters: ProductionCounters, received: Date) -> [Refusal] {
        if let refusal = checkSequence(newCounters.sequence, last: lastSequence.counters) { return [refusal] }
        lastSequence.counters = newCounters.sequence
        kpi.observe(counters: newCounters)
        tick(newCounters.time)
        counters = newCounters
        heard(at: received)
        version += 1
        return []
    }

    /// Online or offline, from the machine's status topic (the broker publishes the last will there).
    public mutating func apply(_ status: JSONPayloads.Status, received: Date) {
        let next: Connectivity.Status = status.online ? .online : .offline
        // The same status again (a retained message after a reconnect or a restart) changes nothing.
        guard next != connectivity.status || status.reason != connectivity.reason else { return }
        connectivity.status = status.online ? .online : .offline
        connectivity.since = received
        connectivity.reason = status.reason
        if status.online { connectivity.lastHeard = received }
        if !status.online {
            kpi.observe(state: .offline, at: machineTime ?? received)
            state = .offline
            stateSince = received
            stateReason = "offline: \(status.reason)"
        }
        version += 1
    }

    /// Marks the twin and its properties stale when nothing arrived for `staleAfter` sample intervals
    /// (of receive time, `now` being the wall clock). KPIs move with the machine's own clock instead.
    /// - Returns: whether anything changed.
    @discardableResult
    public mutating func refresh(now: Date) -> Bool {
        let interval = kind?.sampleInterval.secondsValue ?? 1
        let limit = interval * settings.staleAfter
        var changed = false
        if connectivity.status == .online, let heard = connectivity.lastHeard, now.timeIntervalSince(heard) > limit {
            connectivity.status = .stale
            connectivity.since = now
            connectivity.reason = "nothing for \(Int(now.timeIntervalSince(heard))) s"
            changed = true
        }
        for (name, property) in reported where property.quality != .stale && now.timeIntervalSince(property.receiveTime) > limit {
            reported[name]?.quality = .stale
            changed = true
        }
        if changed { version += 1 }
        return changed
    }

    // MARK: Desired state

    /// Asks for `target`; ``command`` says what to send until the machine reports it.
    public mutating func desire(_ target: MachineState) throws(TwinError) {
        guard Self.commandReaching(target) != nil else {
            throw TwinError("a machine cannot be asked to be \(target); desired states: running, stopped, held, idle")
        }
        desiredState = target == state ? nil : target
        version += 1
    }

    /// The delta between desired and reported state, as the command that closes it; `nil` when in sync.
    public var command: MachineCommandRequest? {
        guard let desiredState, desiredState != state, let command = Self.commandReaching(desiredState) else { return nil }
        return MachineCommandRequest(command: command)
    }

    static func commandReaching(_ state: MachineState) -> MachineCommand? {
        switch state {
        case .running: .start
        case .stopped: .stop
        case .held: .hold
        case .idle: .reset
        default: nil
        }
    }

    // MARK: Persistence

    /// Everything a twin needs to carry on after a restart: its fields and its KPI accumulators.
    public struct Record: Sendable, Codable, Equatable {
        public var address: MachineAddress
        public var kind: String?
        public var version: UInt64
        public var reported: [String: ReportedProperty]
        public var state: MachineState
        public var stateSince: Date?
        public var stateReason: String
        public var connectivity: Connectivity
        public var counters: ProductionCounters?
        public var desiredState: MachineState?
        public var history: [String: SampleHistory]
        public var kpi: KPITracker.Saved
        public var machineTime: Date?
        public var lastSequences: [UInt64?]
    }

    public var record: Record {
        Record(address: address, kind: kind?.id, version: version, reported: reported, state: state, stateSince: stateSince,
               stateReason: stateReason, connectivity: connectivity, counters: counters, desiredState: desiredState,
               history: history, kpi: kpi.saved, machineTime: machineTime,
               lastSequences: [lastSequence.telemetry, lastSequence.state, lastSequence.counters])
    }

    /// A twin brought back from its record; `kind` is looked up again by the caller.
    public init(record: Record, kind: MachineKind?, settings: TwinSettings) {
        self.init(address: record.address, kind: kind, settings: settings)
        version = record.version
        reported = record.reported
        state = record.state
        stateSince = record.stateSince
        stateReason = record.stateReason
        connectivity = record.connectivity
        counters = record.counters
        desiredState = record.desiredState
        history = record.history
        kpi = KPITracker(configuration: settings.kpi, restoring: record.kpi)
        machineTime = record.machineTime
        let sequences = record.lastSequences + [nil, nil, nil]
        lastSequence = (sequences[0], sequences[1], sequences[2])
    }

    // MARK: Helpers

    /// Moves the machine's clock (never backwards) and the KPIs with it.
    private mutating func tick(_ time: Date) {
        if machineTime.map({ time > $0 }) ?? true { machineTime = time }
        kpi.advance(to: machineTime!)
    }

    private mutating func heard(at time: Date) {
        connectivity.lastHeard = time
        if connectivity.status == .stale || connectivity.status == .unknown {
            connectivity.status = .online
            connectivity.since = time
            connectivity.reason = "data again"
        }
    }

    /// Refuses a repeated or older sequence number; 1 after a higher one is a restart of the machine.
    private func checkSequence(_ sequence: UInt64, last: UInt64?) -> Refusal? {
        guard let last else { return nil }
        if sequence == last { return Refusal(.duplicate, "sequence \(sequence) was already applied") }
        if sequence < last && sequence != 1 { return Refusal(.outOfOrder, "sequence \(sequence) is older than \(last)") }
        return nil
    }
}

/// Where a machine is: the levels of its topic.
public struct MachineAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public var site: String
    public var area: String
    public var line: String
    public var machine: String

    public init(site: String, area: String, line: String, machine: String) {
        self.site = site
        self.area = area
        self.line = line
        self.machine = machine
    }

    public var description: String { "\(site)/\(area)/\(line)/\(machine)" }
}

/// One reported property.
public struct ReportedProperty: Sendable, Equatable, Codable {
    public enum Quality: String, Sendable, Codable {
        /// Fresh and within the normal operating range.
        case good
        /// Fresh but outside the normal range (still physically possible).
        case outOfRange = "out_of_range"
        /// Not updated for longer than the staleness limit.
        case stale
        /// The last reading was impossible and refused: the value shown is the last good one.
        case bad
    }

    public var value: Double
    public var unit: String
    /// When the machine sampled it.
    public var sourceTime: Date
    /// When the twin service received it.
    public var receiveTime: Date
    public var quality: Quality
}

/// Whether the machine is reachable.
public struct Connectivity: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case unknown, online, offline, stale
    }

    public var status: Status = .unknown
    public var since: Date?
    public var reason = ""
    /// When the last message from the machine arrived.
    public var lastHeard: Date?
}

/// Settings shared by all twins.
public struct TwinSettings: Sendable {
    /// Samples kept per property for trends and sparklines.
    public var historySize = 60
    /// A machine or property is stale after this many sample intervals without data.
    public var staleAfter = 5.0
    public var kpi = KPITracker.Configuration()

    public init(historySize: Int = 60, staleAfter: Double = 5, kpi: KPITracker.Configuration = .init()) {
        self.historySize = historySize
        self.staleAfter = staleAfter
        self.kpi = kpi
    }
}

/// Something a twin refused, counted by its reason.
public struct Refusal: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case duplicate, outOfOrder = "out_of_order", unknownProperty = "unknown_property"
        case unitMismatch = "unit_mismatch", impossibleValue = "impossible_value"
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// A request a twin cannot take.
public struct TwinError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
