import Foundation
import Twins

/// The twin service's figures at one time (`{root}/_twinhub/metrics`): what the core reports and every screen reads.
/// Counts are since the service started, except the lag (over the last interval) and the twins by connectivity (now).
public struct ServiceMetricsMessage: Sendable, Equatable {
    /// When the figures were taken (the service's wall clock; milliseconds on the wire).
    public var time: Date
    /// Machine messages read, refused ones included.
    public var messagesIn: Int
    /// Messages that could not be decoded, by ``TwinModel/PayloadError/Code`` (its raw value); a code not seen yet is absent.
    public var decodeErrors: [String: Int]
    /// Refusals by reason, the store's own and the twins'; a reason not seen yet is absent.
    public var refusals: [String: Int]
    /// Machine messages and readings sent to the dead-letter topics.
    public var deadLetters: Int
    /// Machines seen with a kind not in `twins/`, or messages refused for it.
    public var unknownKind: Int
    /// Messages applied already and received again (QoS 1 redeliveries after a reconnect): counted, not refused.
    public var duplicates: Int
    /// Empty messages on machine topics: deletions of retained messages, not refusals.
    public var retainedDeleted: Int
    /// Messages the service's MQTT connection dropped before the twins saw them.
    public var dropped: Int
    /// Telemetry shed on purpose while the service could not keep up: each a machine's older sample, with a newer one
    /// of the same machine waiting (states, counters, statuses and acknowledgements are never shed). Absent from
    /// services older than this field: 0.
    public var shed: Int
    /// Time from the MQTT client's delivery to the core, over the interval: the mean (to the microsecond on the wire).
    public var lagMean: Duration
    /// The longest such time over the interval (to the microsecond on the wire).
    public var lagMaximum: Duration
    /// Twins in the service.
    public var twins: Int
    /// The allocator's bytes in use; 0 where the runtime cannot tell.
    public var heapBytes: Int
    /// Twins by connectivity. The wire carries every status (an absent one as 0), so a decoded message has all four.
    public var connectivity: [Connectivity.Status: Int]
    /// Alerts not closed now.
    public var openAlerts: Int
    /// Active alerts now.
    public var activeAlerts: Int
    /// Alert events published.
    public var alertEvents: Int
    /// Acknowledgements taken.
    public var acknowledged: Int
    /// Acknowledgements refused (dead letters).
    public var acknowledgementsRefused: Int
    /// Rules run.
    public var ruleEvaluations: Int

    /// Figures of a service; those not given are zero (a service that has done nothing yet).
    public init(time: Date, messagesIn: Int, decodeErrors: [String: Int] = [:], refusals: [String: Int] = [:],
                deadLetters: Int = 0, unknownKind: Int = 0, duplicates: Int = 0, retainedDeleted: Int = 0, dropped: Int = 0, shed: Int = 0, lagMean: Duration = .zero,
                lagMaximum: Duration = .zero, twins: Int = 0, heapBytes: Int = 0,
                connectivity: [Connectivity.Status: Int] = [.online: 0, .offline: 0, .stale: 0, .unknown: 0],
                openAlerts: Int = 0, activeAlerts: Int = 0, alertEvents: Int = 0, acknowledged: Int = 0,
                acknowledgementsRefused: Int = 0, ruleEvaluations: Int = 0) {
        self.time = time
        self.messagesIn = messagesIn
        self.decodeErrors = decodeErrors
        self.refusals = refusals
        self.deadLetters = deadLetters
        self.unknownKind = unknownKind
        self.duplicates = duplicates
        self.retainedDeleted = retainedDeleted
        self.dropped = dropped
        self.shed = shed
        self.lagMean = lagMean
        self.lagMaximum = lagMaximum
        self.twins = twins
        self.heapBytes = heapBytes
        self.connectivity = connectivity
        self.openAlerts = openAlerts
        self.activeAlerts = activeAlerts
        self.alertEvents = alertEvents
        self.acknowledged = acknowledged
        self.acknowledgementsRefused = acknowledgementsRefused
        self.ruleEvaluations = ruleEvaluations
    }
}
