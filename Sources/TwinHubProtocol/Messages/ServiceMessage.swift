import TwinModel
import Foundation

/// One change to what the console knows, decoded from one MQTT message.
public enum ServiceMessage: Sendable, Equatable {
    /// A twin snapshot (retained `…/{machine}/twin`).
    case twin(TwinSnapshot)
    /// The twin was removed (an empty retained `…/twin`).
    case twinRemoved(PlantPath)
    /// Recent samples of a machine's properties, oldest first (`…/{machine}/history`).
    case history(PlantPath, [String: [Double]])
    /// An open alert (retained `…/alert/{rule}`).
    case alert(AlertSnapshot)
    /// The alert closed (its retained topic emptied).
    case alertRemoved(AlertKey)
    /// An alert lifecycle event (`{root}/_alerts/events`).
    case event(AlertEventMessage)
    /// Aggregate KPIs of a site, area or line (`…/kpi`).
    case aggregate(KPISnapshot)
    /// The twin service's figures (`{root}/_twinhub/metrics`).
    case metrics(ServiceMetricsMessage)
}
