import Foundation
import TwinModel

extension Twin {
    /// Everything a twin needs to carry on after a restart: its fields and its KPI accumulators.
    public struct Record: Sendable, Codable, Equatable {
        public var address: PlantPath
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
        var lastStamps: [Stamp?]
    }
}
