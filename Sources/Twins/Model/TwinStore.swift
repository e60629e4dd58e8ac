import Foundation
import TwinModel

/// Every twin, fed from raw payloads: decodes, routes, applies, and counts what it refuses. Pure.
public struct TwinStore: Sendable {
    /// What to do with telemetry of a kind not found in `twins/`.
    public enum UnknownKindPolicy: String, Sendable {
        /// Keep a generic twin: every property, no ranges or KPI-specific checks.
        case generic
        /// Refuse its messages (dead letter, counted).
        case reject
    }

    /// Counters of the store's work.
    public struct Statistics: Sendable, Equatable {
        public var messagesIn = 0
        public var decodeErrors: [PayloadError.Code: Int] = [:]
        public var refusals: [Refusal.Reason: Int] = [:]
        /// Messages applied already and received again (QoS 1 redeliveries): counted, not refused.
        public var duplicates = 0
        public var unknownKind = 0
        public var deadLetters = 0
        /// Refusals by the store itself (machine mismatch, unknown kind or machine, bad desired state).
        public var otherRefusals: [String: Int] = [:]
    }

    /// A message (or part of one) the store refused, to publish on the dead-letter topic.
    public struct DeadLetter: Sendable, Equatable {
        public var reason: String
        public var detail: String
    }

    /// The interface of each kind, by kind.
    public let kinds: [String: MachineInterface]
    /// The same kinds, each held once for all its twins.
    private let sharedKinds: [String: SharedKind]
    public var settings: TwinSettings { sharedSettings.settings }
    /// The settings, held once for all the twins.
    private let sharedSettings: SharedSettings
    public let unknownKinds: UnknownKindPolicy
    public let maximumPayload: Int
    /// The most twins kept: a machine nobody declared beyond it is refused (`too_many_twins`), so a flood of made-up
    /// machine names cannot take the service's memory.
    public let maximumTwins: Int
    /// ``maximumTwins`` unless told otherwise: ten times the largest shipped scenario's machines, and more.
    public static let defaultMaximumTwins = 250_000
    public private(set) var twins: [PlantPath: Twin] = [:]
    /// Serials handed out so far: every ``Twin/serial`` is below it, so a table by serial needs this many places.
    public private(set) var serials = 0
    /// Serials of twins taken out of the store, for the next new twins (a machine that keeps coming and going must
    /// not make the tables by serial grow).
    private var freedSerials: [Int] = []
    /// The serial the next new twin gets.
    private var nextSerial: Int { freedSerials.last ?? serials }
    public private(set) var statistics = Statistics()

    public init(kinds: [String: MachineInterface], settings: TwinSettings = .init(), unknownKinds: UnknownKindPolicy = .generic,
                maximumPayload: Int = JSONFields.defaultMaximumSize, maximumTwins: Int = TwinStore.defaultMaximumTwins) {
        self.kinds = kinds
        self.maximumTwins = maximumTwins
        sharedKinds = kinds.mapValues(SharedKind.init)
        sharedSettings = SharedSettings(settings)
        self.unknownKinds = unknownKinds
        self.maximumPayload = maximumPayload
    }

    /// A decoded message, ready to apply.
    public enum Decoded: Sendable {
        case telemetry(MachineTelemetry)
        case state(StateChange)
        case counters(ProductionCounters)
        case status(MachineStatus)
        case desired(MachineState)
        case ignored
    }

    /// Counts a message that could not be decoded, and returns its dead letter.
    public mutating func refuse(decoding error: PayloadError) -> [DeadLetter] {
        statistics.messagesIn += 1
        statistics.decodeErrors[error.code, default: 0] += 1
        statistics.deadLetters += 1
        return [DeadLetter(reason: error.code.rawValue, detail: error.reason)]
    }

    /// Counts a message refused before any machine's decoder saw it (a Sparkplug payload its host refused), under
    /// `reason`, and returns its dead letter.
    public mutating func refuse(reason: String, detail: String) -> [DeadLetter] {
        statistics.messagesIn += 1
        return refuse(reason, detail)
    }

    /// Applies a decoded message to the machine at `address`.
    public mutating func apply(_ decoded: Decoded, address: PlantPath, received: Date) -> [DeadLetter] {
        statistics.messagesIn += 1
        switch decoded {
            case .telemetry(let telemetry):
                guard telemetry.machine == address.name else {
                    return refuse("invalid_value", "the payload names machine '\(telemetry.machine)', the topic '\(address.name)'")
                }
                let kind: SharedKind?
                switch resolve(kind: telemetry.kind, for: address) {
                case .known(let known): kind = known
                case .generic:
                    kind = nil
                    if twins[address] == nil { statistics.unknownKind += 1 }
                case .refused:
                    statistics.unknownKind += 1
                    if let twin = twins[address], twin.kind == nil {  // seen only through state or status
                        twins[address] = nil
                        freedSerials.append(twin.serial)
                    }
                    return refuse("unknown_kind", "no kind '\(telemetry.kind)' in twins/ (policy: reject)")
                }
                return record(address, kind: kind) { twin in
                    twin.apply(telemetry.sample, received: received)
                }
            case .state(let change):
                return record(address) { $0.apply(change, received: received) }
            case .counters(let counters):
                return record(address) { $0.apply(counters, received: received) }
            case .status(let status):
                return record(address) { twin in
                    twin.apply(status, received: received)
                    return []
                }
            case .desired(let desired):
                guard var twin = twins[address] else { return refuse("unknown_machine", "no twin for \(address) yet") }
                do {
                    try twin.desire(desired)
                } catch {
                    return refuse("invalid_value", error.description)
                }
                twins[address] = twin
                return []
            case .ignored:
                return []
        }
    }

    /// Brings back stored twins (at start-up), typed by today's kinds. Machines count as heard at
    /// `restartedAt`: silence while the service was down is not the machines' own.
    public mutating func restore(_ records: [Twin.Record], restartedAt: Date = Date()) {
        for var record in records {
            if record.connectivity.lastHeard != nil { record.connectivity.lastHeard = restartedAt }
            var serial = nextSerial
            if let existing = twins[record.address] { serial = existing.serial } else { takeSerial() }
            twins[record.address] = Twin(record: record, serial: serial,
                                         shared: record.kind.flatMap { sharedKinds[$0] }, settings: sharedSettings)
        }
    }

    /// Takes the twins under `prefix` (a line's, say) out of the store, for another service instance to keep; their
    /// serials go to the next new twins.
    /// - Returns: the twins taken out.
    @discardableResult
    public mutating func remove(under prefix: PlantPath) -> [Twin] {
        let removed = twins.values.filter { prefix.contains($0.address) }
        for twin in removed {
            twins[twin.address] = nil
            freedSerials.append(twin.serial)
        }
        return removed
    }

    /// Marks stale twins and properties, and moves every KPI window to `now`.
    public mutating func refresh(now: Date) {
        // By index, changing each twin in place: iterating `twins.values` would hold a second reference to the
        // dictionary and make the first change copy all of it.
        var index = twins.startIndex
        while index != twins.endIndex {
            twins.values[index].refresh(now: now)
            twins.formIndex(after: &index)
        }
    }

    /// One site, area or line: how many machines it has and their OEE, pooled (``OEESum``).
    public struct Aggregate: Sendable {
        public var machines = 0
        public var shift = OEESum()
        public var window = OEESum()

        public init() {}

        /// Adds a machine: its tallies of the shift and of the rolling window.
        public mutating func add(shift: ProductionTally, window: ProductionTally) {
            machines += 1
            self.shift.add(shift)
            self.window.add(window)
        }
    }

    /// The twins' OEE per site, area and line, for the current shift and the rolling window: each over the same window
    /// as its machines' own figures.
    public func aggregates() -> [PlantPath: Aggregate] {
        var sums: [PlantPath: Aggregate] = [:]
        for twin in twins.values {
            let window = twin.kpi.window
            for key in twin.address.prefixes { sums[key, default: Aggregate()].add(shift: twin.kpi.shift, window: window) }
        }
        return sums
    }

    private enum KindResolution {
        case known(SharedKind)
        case generic
        case refused
    }

    /// The kind to type a twin with. A twin first seen through its state or status gets its kind with
    /// its first telemetry.
    private mutating func resolve(kind name: String, for address: PlantPath) -> KindResolution {
        guard let kind = sharedKinds[name] else { return unknownKinds == .generic ? .generic : .refused }
        // In place (a twin that has its kind ignores it): reading the twin out first would copy it.
        if let index = twins.index(forKey: address) { twins.values[index].adopt(kind) }
        return .known(kind)
    }

    /// Changes the twin at `address` in place (a new one, of `kind`, if there is none yet): a copy would copy its
    /// properties and histories with every message.
    private mutating func record(_ address: PlantPath, kind: SharedKind? = nil, _ change: (inout Twin) -> [Refusal]) -> [DeadLetter] {
        // Only a full store pays a second lookup.
        if twins.count >= maximumTwins, twins[address] == nil {
            return refuse("too_many_twins", "the service keeps at most \(maximumTwins) twins (--max-twins): none for \(address)")
        }
        // One lookup: a new twin takes the next serial, counted once it is in.
        let (count, serial) = (twins.count, nextSerial)
        let refusals = change(&twins[address, default: Twin(address: address, serial: serial, shared: kind, settings: sharedSettings)])
        if twins.count > count { takeSerial() }
        guard !refusals.isEmpty else { return [] }
        var letters: [DeadLetter] = []
        for refusal in refusals {
            guard refusal.reason != .duplicate else {
                statistics.duplicates += 1
                continue
            }
            statistics.refusals[refusal.reason, default: 0] += 1
            letters.append(DeadLetter(reason: refusal.reason.rawValue, detail: refusal.detail))
        }
        statistics.deadLetters += letters.count
        return letters
    }

    /// Marks ``nextSerial`` as taken.
    private mutating func takeSerial() {
        if freedSerials.isEmpty { serials += 1 } else { freedSerials.removeLast() }
    }

    private mutating func refuse(_ reason: String, _ detail: String) -> [DeadLetter] {
        statistics.deadLetters += 1
        statistics.otherRefusals[reason, default: 0] += 1
        return [DeadLetter(reason: reason, detail: detail)]
    }
}
