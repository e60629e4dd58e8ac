import Foundation
import Rules
import TwinHubProtocol
import TwinModel
import Twins

/// Counters of the service's own work, and the report of them published with its metrics (a ``TwinHubProtocol/ServiceMetricsMessage``).
public struct ServiceMetrics: Sendable {
    /// Figures only the runtime can know, handed in with the tick when metrics are due.
    public struct RuntimeFigures: Sendable {
        /// Messages the MQTT client dropped.
        public var dropped: Int
        /// The allocator's bytes in use.
        public var heapBytes: Int
        /// Telemetry the runtime shed while the core fell behind (``SheddingQueue``).
        public var shed: Int

        public init(dropped: Int, heapBytes: Int, shed: Int = 0) {
            self.dropped = dropped
            self.heapBytes = heapBytes
            self.shed = shed
        }
    }

    var alertEvents = 0
    var acknowledged = 0
    var acknowledgementsRefused = 0
    var retainedDeleted = 0
    private var lag = (total: Duration.zero, count: 0, maximum: Duration.zero)

    /// A message waited `waited` before it reached the core.
    mutating func noteLag(_ waited: Duration) {
        lag.total += waited
        lag.count += 1
        lag.maximum = max(lag.maximum, waited)
    }

    /// The report at `now`; the lag starts a new interval.
    mutating func report(now: Date, store: TwinStore, rules: RuleEngine, runtime: RuntimeFigures) -> ServiceMetricsMessage {
        defer { lag = (.zero, 0, .zero) }
        let statistics = store.statistics
        var refusals = statistics.otherRefusals
        for (reason, count) in statistics.refusals { refusals[reason.rawValue, default: 0] += count }
        var connectivity: [Connectivity.Status: Int] = [.online: 0, .offline: 0, .stale: 0, .unknown: 0]
        for twin in store.twins.values { connectivity[twin.connectivity.status, default: 0] += 1 }
        let open = rules.alerts
        return ServiceMetricsMessage(time: now, messagesIn: statistics.messagesIn,
                      decodeErrors: Dictionary(uniqueKeysWithValues: statistics.decodeErrors.map { ($0.key.rawValue, $0.value) }),
                      refusals: refusals, deadLetters: statistics.deadLetters, unknownKind: statistics.unknownKind,
                      duplicates: statistics.duplicates, retainedDeleted: retainedDeleted,
                      dropped: runtime.dropped, shed: runtime.shed, lagMean: lag.count > 0 ? lag.total / lag.count : .zero, lagMaximum: lag.maximum,
                      twins: store.twins.count, heapBytes: runtime.heapBytes, connectivity: connectivity,
                      openAlerts: open.count, activeAlerts: open.filter(\.isActive).count, alertEvents: alertEvents,
                      acknowledged: acknowledged, acknowledgementsRefused: acknowledgementsRefused, ruleEvaluations: rules.evaluations)
    }
}
