import Foundation
import TwinModel

/// The live model of one machine, built only from what arrives on its topics. Pure: every change comes
/// through an `apply` method with the time it was received, so it is tested without a broker or a clock.
///
/// A twin is never corrupted by bad input: a message is checked whole before anything changes, and a
/// reading that cannot be right (beyond the kind's physical limits, wrong unit, unknown property) is
/// refused while the rest of its message applies. Every change increments ``version``.
public struct Twin: Sendable {
    public var address: PlantPath { storage.address }
    /// The store's number for this twin: dense from 0 in the order twins appeared, so that what is kept per twin
    /// outside the store (when its snapshot went out, say) can be a plain array rather than a hash table.
    public var serial: Int { Int(storage.serial) }
    /// The interface of the machine's kind, when known (a machine of a kind not in `twins/` gets a generic twin).
    public var kind: MachineInterface? { storage.kind?.kind }
    public var settings: TwinSettings { storage.shared.settings }
    public private(set) var version: UInt64 {
        get { storage.version }
        _modify { makeUnique(); yield &storage.version }
    }
    /// The latest value of each property, by name.
    public var reported: PropertyValues<ReportedColumn> {
        PropertyValues(names: storage.names, column: ReportedColumn(readings: storage.reported, units: storage.units))
    }
    public private(set) var state: MachineState {
        get { storage.state }
        _modify { makeUnique(); yield &storage.state }
    }
    public private(set) var stateSince: Date? {
        get { storage.stateSince }
        _modify { makeUnique(); yield &storage.stateSince }
    }
    public private(set) var stateReason: String {
        get { storage.stateReason }
        _modify { makeUnique(); yield &storage.stateReason }
    }
    public private(set) var connectivity: Connectivity {
        get { storage.connectivity }
        _modify { makeUnique(); yield &storage.connectivity }
    }
    public private(set) var counters: ProductionCounters? {
        get { storage.counters }
        _modify { makeUnique(); yield &storage.counters }
    }
    /// The state someone asked for; `nil` once the machine reports it.
    public private(set) var desiredState: MachineState? {
        get { storage.desiredState }
        _modify { makeUnique(); yield &storage.desiredState }
    }
    /// Sample slots the twin's history table has allocated (for tests of its size).
    var historySlots: Int { storage.history.allocatedSlots }

    /// The recent samples of each property, by name.
    public var history: PropertyValues<[SampleHistory]> {
        PropertyValues(names: storage.names, column: (0..<storage.history.propertyCount).map { SampleHistory($0, of: storage.history) })
    }
    public private(set) var kpi: KPITracker {
        get { storage.kpi }
        _modify { makeUnique(); yield &storage.kpi }
    }
    /// The machine's own clock: the latest source timestamp seen. KPIs run on it (a simulated fleet's
    /// time is not the wall clock); staleness runs on receive times.
    public private(set) var machineTime: Date? {
        get { storage.machineTime }
        _modify { makeUnique(); yield &storage.machineTime }
    }
    /// Property names; a property's latest reading, unit and history are at its name's position in their arrays and table.
    private var names: [String] {
        get { storage.names }
        _modify { makeUnique(); yield &storage.names }
    }
    private var reportedValues: [LatestReading] {
        get { storage.reported }
        _modify { makeUnique(); yield &storage.reported }
    }
    private var units: [String] {
        get { storage.units }
        _modify { makeUnique(); yield &storage.units }
    }
    private var histories: HistoryTable {
        get { storage.history }
        _modify { makeUnique(); yield &storage.history }
    }
    private var lastSequence: LastStamps {
        get { storage.lastSequence }
        _modify { makeUnique(); yield &storage.lastSequence }
    }

    /// Every field, behind one reference: a store's dictionary holds a pointer per slot rather than the whole twin
    /// (its hash table has up to 2.7 slots per twin), and a change copies the fields only when the twin is shared
    /// (copy on write, as the standard collections do).
    ///
    /// Fields are in an order that leaves little padding: each one-byte state follows an optional date's tag byte.
    private final class Storage: @unchecked Sendable {
        let address: PlantPath
        let shared: SharedSettings
        var kind: SharedKind?
        var version: UInt64 = 0
        var names: [String] = []
        var reported: [LatestReading] = []
        var units: [String] = []
        var history: HistoryTable
        var kpi: KPITracker
        var stateSince: Date?
        var state: MachineState = .offline
        var machineTime: Date?
        var desiredState: MachineState?
        let serial: UInt32
        var stateReason = ""
        var connectivity = Connectivity()
        var counters: ProductionCounters?
        var lastSequence = LastStamps()

        init(address: PlantPath, serial: UInt32, kind: SharedKind?, shared: SharedSettings) {
            self.address = address
            self.serial = serial
            self.kind = kind
            self.shared = shared
            kpi = KPITracker(frame: shared.kpi)
            history = HistoryTable(capacity: shared.settings.historySize)
        }

        func copy() -> Storage {
            let copy = Storage(address: address, serial: serial, kind: kind, shared: shared)
            copy.version = version
            copy.names = names
            copy.reported = reported
            copy.units = units
            copy.state = state
            copy.stateSince = stateSince
            copy.stateReason = stateReason
            copy.connectivity = connectivity
            copy.counters = counters
            copy.desiredState = desiredState
            copy.history = history
            copy.kpi = kpi
            copy.machineTime = machineTime
            copy.lastSequence = lastSequence
            return copy
        }
    }

    private var storage: Storage

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Most properties a generic twin keeps (a kind bounds its own).
    public static let maximumGenericProperties = 256

    /// A twin of its own, numbered 0: twins that one ``RuleEngine`` evaluates must come from one ``TwinStore``, which
    /// numbers them apart.
    public init(address: PlantPath, kind: MachineInterface?, settings: TwinSettings = .init()) {
        self.init(address: address, serial: 0, shared: kind.map(SharedKind.init), settings: SharedSettings(settings))
    }

    /// A twin of a kind and settings other twins share (a store gives all its twins one ``SharedSettings``, and all
    /// its twins of a kind one ``SharedKind``).
    init(address: PlantPath, serial: Int, shared kind: SharedKind?, settings: SharedSettings) {
        storage = Storage(address: address, serial: UInt32(serial), kind: kind, shared: settings)
    }

    /// Types a twin first seen without its kind (through its state or status, before any telemetry).
    public mutating func adopt(_ kind: MachineInterface) {
        adopt(SharedKind(kind))
    }

    mutating func adopt(_ kind: SharedKind) {
        guard storage.kind == nil else { return }
        makeUnique()
        storage.kind = kind
        version += 1
    }

    // MARK: Telemetry

    /// Applies a telemetry sample received at `received`.
    /// - Returns: what was refused (the whole message, or single readings), for counting and dead letters.
    @discardableResult
    public mutating func apply(_ sample: TelemetrySample, received: Date) -> [Refusal] {
        let stamp = Stamp(sequence: sample.sequence, time: sample.time)
        if let refusal = checkSequence(stamp, last: lastSequence.telemetry, applied: lastSequence.appliedBelow.telemetry) { return [refusal] }
        var refusals: [Refusal] = []
        var changed = false
        for reading in sample.values {
            guard let spec = storage.kind?.check(for: reading.property) else {
                if storage.kind == nil {
                    guard names.position(ofName: reading.property) != nil || names.count < Self.maximumGenericProperties else {
                        refusals.append(Refusal(.unknownProperty, "a generic twin keeps at most \(Self.maximumGenericProperties) properties"))
                        continue
                    }
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
                if let index = names.position(ofName: reading.property), reportedValues[index].quality != .bad {
                    reportedValues[index].quality = .bad
                    changed = true
                }
                continue
            }
            store(reading, quality: spec.quality(of: reading.value, in: stateSince == nil ? nil : state), source: sample.time, received: received)
            changed = true
        }
        lastSequence.appliedBelow.telemetry = Self.window(lastSequence.appliedBelow.telemetry, from: lastSequence.telemetry, to: stamp)
        lastSequence.telemetry = stamp
        tick(sample.time)
        if heard(at: received) { changed = true }
        if changed { version += 1 }
        return refusals
    }

    private mutating func store(_ reading: TelemetrySample.Reading, quality: ReportedProperty.Quality, source: Date, received: Date) {
        let latest = LatestReading(value: reading.value, sourceTime: source, receiveTime: received, quality: quality)
        if let index = names.position(ofName: reading.property) {
            reportedValues[index] = latest
            // (A kind's twin takes only its kind's unit, so this rarely writes: its units may be the kind's array.)
            if units[index] != reading.unit {
                units[index] = reading.unit
                shareKindColumns()
            }
            histories.append(reading.value, at: source, to: index)
        } else {
            if names.isEmpty, let count = storage.kind?.kind.properties.count {
                // Room for every property of the kind at once, rather than growing by doubling.
                names.reserveCapacity(count)
                reportedValues.reserveCapacity(count)
                units.reserveCapacity(count)
                histories.reserve(properties: count)
            }
            let position = position(ofNew: reading.property)
            names.insert(reading.property, at: position)
            reportedValues.insert(latest, at: position)
            units.insert(reading.unit, at: position)
            histories.insertProperty(at: position)
            histories.append(reading.value, at: source, to: position)
            shareKindColumns()
        }
    }

    /// Where a new property goes: a twin of a known kind keeps its properties in the kind's order, a generic twin in
    /// the order it first saw them.
    private func position(ofNew name: String) -> Int {
        guard let kindNames = storage.kind?.propertyNames else { return names.count }
        // The names before it in the kind's order, if the twin's names follow that order (they may not if it had
        // properties before it learnt its kind).
        var before = 0
        for kindName in kindNames {
            if kindName.isSameName(as: name) { return before }
            if before < names.count, names[before].isSameName(as: kindName) { before += 1 }
        }
        return names.count
    }

    /// Once the twin has every property of its kind, it keeps the kind's arrays of names and units rather than its
    /// own copies (units apart: a twin restored from before its kind changed a unit keeps the old one until a reading).
    private mutating func shareKindColumns() {
        guard let kind = storage.kind, names.count == kind.propertyNames.count, names == kind.propertyNames else { return }
        names = kind.propertyNames
        if units == kind.propertyUnits { units = kind.propertyUnits }
    }

    // MARK: State, counters, status

    /// Applies a state change; a desired state the machine now reports is fulfilled.
    @discardableResult
    public mutating func apply(_ change: StateChange, received: Date) -> [Refusal] {
        let stamp = Stamp(sequence: change.sequence, time: change.time)
        if stamp == lastSequence.state {
            // The same state again: a retained message, or the machine announcing itself after a
            // reconnect. Nothing to refuse. Only a machine back online (its status comes first) gets
            // back the state an offline status replaced; a retained state of an offline machine is old.
            guard connectivity.status == .online, state == .offline, change.state != .offline else { return [] }
        } else if change.sequence > 0, let refusal = checkSequence(stamp, last: lastSequence.state, applied: lastSequence.appliedBelow.state) {
            // (Sequence 0 is the simulator's announcement at start-up, accepted whatever came before.)
            return [refusal]
        }
        lastSequence.appliedBelow.state = Self.window(lastSequence.appliedBelow.state, from: lastSequence.state, to: stamp)
        lastSequence.state = stamp
        tick(change.time)
        kpi.observe(state: change.state, at: change.time)
        state = change.state
        stateSince = change.time
        stateReason = change.reason
        if desiredState == change.state { desiredState = nil }
        _ = heard(at: received)
        version += 1
        return []
    }

    @discardableResult
    public mutating func apply(_ newCounters: ProductionCounters, received: Date) -> [Refusal] {
        let stamp = Stamp(sequence: newCounters.sequence, time: newCounters.time)
        if stamp == lastSequence.counters { return [] }  // retained or re-announced: already applied
        if let refusal = checkSequence(stamp, last: lastSequence.counters, applied: lastSequence.appliedBelow.counters) { return [refusal] }
        lastSequence.appliedBelow.counters = Self.window(lastSequence.appliedBelow.counters, from: lastSequence.counters, to: stamp)
        lastSequence.counters = stamp
        tick(newCounters.time)
        kpi.observe(counters: newCounters)
        counters = newCounters
        _ = heard(at: received)
        version += 1
        return []
    }

    /// Online or offline, from the machine's status topic (the broker publishes the last will there). Offline, every
    /// property is stale at once.
    public mutating func apply(_ status: MachineStatus, received: Date) {
        let next: Connectivity.Status = status.online ? .online : .offline
        // The same status again (a retained message after a reconnect or a restart) changes nothing.
        guard next != connectivity.status || status.reason != connectivity.reason else { return }
        connectivity.status = status.online ? .online : .offline
        connectivity.since = received
        connectivity.reason = status.reason
        if status.online { connectivity.lastHeard = received }
        if !status.online {
            // On the machine's clock; before any message from the machine there is nothing to account.
            if let machineTime { kpi.observe(state: .offline, at: machineTime) }
            state = .offline
            stateSince = received
            stateReason = "offline: \(status.reason)"
            // What an offline machine last said is no longer current (Sparkplug marks every metric stale at a death).
            for index in storage.reported.indices where storage.reported[index].quality != .stale {
                reportedValues[index].quality = .stale
            }
        }
        version += 1
    }

    /// Marks the twin and its properties stale when nothing arrived for `staleAfter` sample intervals
    /// (of receive time, `now` being the wall clock). KPIs move with the machine's own clock instead.
    /// - Returns: whether anything changed.
    @discardableResult
    public mutating func refresh(now: Date) -> Bool {
        if connectivity.status == .offline || connectivity.status == .stale, let machineTime, let heard = connectivity.lastHeard {
            // A silent machine's clock cannot move by itself: let its KPIs follow the wall clock.
            kpi.advance(to: machineTime.addingTimeInterval(max(0, now.timeIntervalSince(heard))))
        }
        let interval = storage.kind?.kind.sampleInterval.secondsValue ?? 1
        let limit = interval * settings.staleAfter
        var changed = false
        if connectivity.status == .online, let heard = connectivity.lastHeard, now.timeIntervalSince(heard) > limit {
            connectivity.status = .stale
            connectivity.since = now
            connectivity.reason = "nothing for \(Int(now.timeIntervalSince(heard))) s"
            changed = true
        }
        for index in storage.reported.indices {
            let property = storage.reported[index]
            if property.quality != .stale && now.timeIntervalSince(property.receiveTime) > limit {
                reportedValues[index].quality = .stale
                changed = true
            }
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

    public var record: Record {
        Record(address: address, kind: kind?.id, version: version, reported: reported.dictionary, state: state, stateSince: stateSince,
               stateReason: stateReason, connectivity: connectivity, counters: counters, desiredState: desiredState,
               history: history.dictionary, kpi: kpi.saved, machineTime: machineTime,
               lastStamps: [lastSequence.telemetry, lastSequence.state, lastSequence.counters])
    }

    /// A twin brought back from its record; `kind` is looked up again by the caller. Numbered 0, as
    /// ``init(address:kind:settings:)``.
    public init(record: Record, kind: MachineInterface?, settings: TwinSettings) {
        self.init(record: record, serial: 0, shared: kind.map(SharedKind.init), settings: SharedSettings(settings))
    }

    init(record: Record, serial: Int, shared: SharedKind?, settings: SharedSettings) {
        self.init(address: record.address, serial: serial, shared: shared, settings: settings)
        let kind = shared?.kind
        version = record.version
        // In the kind's order, then by name; a history without a reported value (never written) is dropped.
        let order = Dictionary((kind?.properties ?? []).enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        names = record.reported.keys.sorted { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }
        reportedValues = names.map { LatestReading(record.reported[$0]!) }
        units = names.map { record.reported[$0]!.unit }
        shareKindColumns()
        state = record.state
        stateSince = record.stateSince
        stateReason = record.stateReason
        connectivity = record.connectivity
        counters = record.counters
        desiredState = record.desiredState
        // Kept at today's history size: the newest samples.
        // Every property first, then the samples: growing the segments together then sizes the buffer exactly.
        histories.reserve(properties: names.count)
        for _ in names { histories.addProperty() }
        for (property, name) in names.enumerated() {
            for sample in (record.history[name]?.samples ?? []).suffix(histories.capacity) {
                histories.append(sample.value, at: sample.time, to: property)
            }
        }
        kpi = KPITracker(frame: settings.kpi, restoring: record.kpi)
        machineTime = record.machineTime
        let stamps = record.lastStamps + [nil, nil, nil]
        lastSequence = LastStamps(telemetry: stamps[0], state: stamps[1], counters: stamps[2])
    }

    // MARK: Helpers

    /// Moves the machine's clock (never backwards) and the KPIs with it.
    private mutating func tick(_ time: Date) {
        if let current = machineTime, time < current.addingTimeInterval(-3600) {
            // The machine's clock went back (a simulation started again): carry on from there.
            machineTime = time
            kpi.restartClock(at: time)
            return
        }
        if machineTime.map({ time > $0 }) ?? true { machineTime = time }
        kpi.advance(to: machineTime!)
    }

    /// Notes a message from the machine; returns whether connectivity changed.
    private mutating func heard(at time: Date) -> Bool {
        connectivity.lastHeard = time
        guard connectivity.status == .stale || connectivity.status == .unknown else { return false }
        connectivity.status = .online
        connectivity.since = time
        connectivity.reason = "data again"
        return true
    }

    /// Refuses a repeated or older message. A lower sequence number is a restart of the machine when it
    /// is 1 (so a redelivered 1 applies again: it cannot be told from a restart with the clock set back), or when its
    /// source time is newer than the last one's; one of the recently `applied` ones is a duplicate (a QoS 1
    /// redelivery after a reconnect), any other a straggler.
    private func checkSequence(_ stamp: Stamp, last: Stamp?, applied: UInt64) -> Refusal? {
        guard let last, stamp.sequence <= last.sequence else { return nil }
        if stamp.sequence == last.sequence && stamp.time == last.time {
            return Refusal(.duplicate, "sequence \(stamp.sequence) was already applied")
        }
        if stamp.sequence == 1 || stamp.time > last.time { return nil }
        if Self.wasApplied(stamp.sequence, below: last, in: applied) {
            return Refusal(.duplicate, "sequence \(stamp.sequence) was already applied (a redelivery)")
        }
        return Refusal(.outOfOrder, "sequence \(stamp.sequence) is older than \(last.sequence)")
    }
}
