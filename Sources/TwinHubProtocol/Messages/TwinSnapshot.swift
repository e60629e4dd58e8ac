import Foundation
import TwinModel

/// What the console knows of a machine: its twin as the twin service last published it.
public struct TwinSnapshot: Sendable, Equatable {
    /// One reported property.
    public struct Reading: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var unit: String
        /// `good`, `out_of_range`, `stale` or `bad`, as the twin service judged it.
        public var quality: String
        public var time: Date?

        public init(name: String, value: Double, unit: String, quality: String, time: Date? = nil) {
            self.name = name
            self.value = value
            self.unit = unit
            self.quality = quality
            self.time = time
        }
    }

    /// Parts made, good and scrapped.
    public struct Counters: Sendable, Equatable {
        public var total: Int
        public var good: Int
        public var scrap: Int

        public init(total: Int, good: Int, scrap: Int) {
            self.total = total
            self.good = good
            self.scrap = scrap
        }
    }

    public var key: PlantPath
    public var kind: String
    /// The twin's version: it grows with every change the twin service applies.
    public var version: Int
    /// The machine state (`running`, `fault`, …); an unknown word from a newer service is kept as text.
    public var state: String
    public var stateSince: Date?
    public var stateReason: String
    /// `online`, `offline`, `stale` or `unknown`.
    public var connectivity: String
    public var connectivitySince: Date?
    public var connectivityReason: String
    /// Reported properties, by name.
    public var readings: [Reading]
    public var counters: Counters?
    public var desiredState: String?
    /// The command the twin service sends to close the gap to the desired state.
    public var pendingCommand: String?
    public var shift: OEEFigures
    public var window: OEEFigures
    public var mtbfSeconds: Double?
    public var mttrSeconds: Double?

    public init(key: PlantPath, kind: String, version: Int = 0, state: String, stateSince: Date? = nil, stateReason: String = "",
                connectivity: String, connectivitySince: Date? = nil, connectivityReason: String = "", readings: [Reading] = [],
                counters: Counters? = nil, desiredState: String? = nil, pendingCommand: String? = nil,
                shift: OEEFigures = .init(), window: OEEFigures = .init(), mtbfSeconds: Double? = nil, mttrSeconds: Double? = nil) {
        self.key = key
        self.kind = kind
        self.version = version
        self.state = state
        self.stateSince = stateSince
        self.stateReason = stateReason
        self.connectivity = connectivity
        self.connectivitySince = connectivitySince
        self.connectivityReason = connectivityReason
        self.readings = readings
        self.counters = counters
        self.desiredState = desiredState
        self.pendingCommand = pendingCommand
        self.shift = shift
        self.window = window
        self.mtbfSeconds = mtbfSeconds
        self.mttrSeconds = mttrSeconds
    }

    /// Whether the machine's connection is up.
    public var isOnline: Bool { connectivity == "online" }

    /// The machine state as the shared vocabulary, if it is one.
    public var machineState: MachineState? { MachineState(rawValue: state) }

    /// The reading of `name`, if reported.
    public func reading(_ name: String) -> Reading? { readings.first { $0.name == name } }
}
