import Foundation
import TwinModel

/// A TwinHub machine as a Sparkplug device: the metrics of its DBIRTH, and what it reports (telemetry, state changes,
/// production counters) as updates of those metrics. The twin service's host reads them back (``SparkplugTwinFeed``).
///
/// | metric | type | from |
/// | --- | --- | --- |
/// | `Properties/Kind` | String | the machine's kind (`cnc_mill`): a host types its twin by it |
/// | `State`, `State/Reason` | String | the operational state (`running`) and why it was entered |
/// | each telemetry property (`spindle_speed`) | Double, or Int64 for an `integer` one | a sample; null while its sensor is out |
/// | `Production/Total`, `Production/Good`, `Production/Scrap` | Int64 | the counters after each cycle |
/// | `Production/Ideal Cycle Time` | Double, s | the ideal time per part |
/// | `Command/…` | see ``MachineDeviceCommands`` | writable by DCMD |
public enum MachineDevice {
    public static let kindMetric = "Properties/Kind"
    public static let stateMetric = SparkplugMetricDefinition.machineStateMetricName
    public static let stateReasonMetric = "State/Reason"
    public static let totalMetric = "Production/Total"
    public static let goodMetric = "Production/Good"
    public static let scrapMetric = "Production/Scrap"
    public static let idealCycleTimeMetric = "Production/Ideal Cycle Time"

    /// Folders and names that are not telemetry: a host takes every other numeric metric as a property.
    public static func isTelemetry(_ name: String) -> Bool {
        !(name == stateMetric || name.hasPrefix("State/") || name.hasPrefix("Production/") || name.hasPrefix("Properties/")
          || name.hasPrefix(MachineDeviceCommands.folder) || name.hasPrefix("Node Control/") || name.hasPrefix("Node Info/")
          || name == "bdSeq")
    }

    /// Every metric of a machine's DBIRTH, with the values it has now (a property without a sample yet is null).
    public static func birth(kind: MachineInterface, state: StateChange?, counters: ProductionCounters?,
                             sample: TelemetrySample?) -> [SparkplugMetricDefinition] {
        var metrics = [SparkplugMetricDefinition(name: kindMetric, dataType: .string, value: .string(kind.id)),
                       .machineState(state?.state),
                       SparkplugMetricDefinition(name: stateReasonMetric, dataType: .string, value: state.map { .string($0.reason) })]
        for property in kind.properties {
            metrics.append(SparkplugMetricDefinition(property: property, value: sample?.value(of: property.name)))
        }
        var cycleUnit = SparkplugPropertySet()
        cycleUnit.engineeringUnit = "s"
        metrics += [
            SparkplugMetricDefinition(name: totalMetric, dataType: .int64, value: counters.map { .int64(Int64($0.total)) }),
            SparkplugMetricDefinition(name: goodMetric, dataType: .int64, value: counters.map { .int64(Int64($0.good)) }),
            SparkplugMetricDefinition(name: scrapMetric, dataType: .int64, value: counters.map { .int64(Int64($0.scrap)) }),
            SparkplugMetricDefinition(name: idealCycleTimeMetric, dataType: .double, properties: cycleUnit,
                                      value: counters.map { .double($0.idealCycleTime.secondsValue) }),
        ]
        return metrics + MachineDeviceCommands.definitions(for: kind.commands)
    }

    /// A sample as updates of every property of `kind`: a property absent from the sample (its sensor out) is null.
    public static func updates(_ sample: TelemetrySample, kind: MachineInterface) -> [SparkplugMetricUpdate] {
        kind.properties.map { property in
            let type: SparkplugDataType = property.type == .integer ? .int64 : .double
            return SparkplugMetricUpdate(name: property.name, value: sample.value(of: property.name).flatMap { SparkplugValue(number: $0, as: type) })
        }
    }

    /// A state change as updates of `State` and `State/Reason`.
    public static func updates(_ change: StateChange) -> [SparkplugMetricUpdate] {
        [SparkplugMetricUpdate(name: stateMetric, value: .string(change.state.rawValue)),
         SparkplugMetricUpdate(name: stateReasonMetric, value: .string(change.reason))]
    }

    /// Production counters as updates of the `Production/` metrics.
    public static func updates(_ counters: ProductionCounters) -> [SparkplugMetricUpdate] {
        [SparkplugMetricUpdate(name: totalMetric, value: .int64(Int64(counters.total))),
         SparkplugMetricUpdate(name: goodMetric, value: .int64(Int64(counters.good))),
         SparkplugMetricUpdate(name: scrapMetric, value: .int64(Int64(counters.scrap))),
         SparkplugMetricUpdate(name: idealCycleTimeMetric, value: .double(counters.idealCycleTime.secondsValue))]
    }

    /// A time as Sparkplug's timestamp: ms since the epoch (0 before it).
    public static func timestamp(_ date: Date) -> UInt64 {
        UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded()))
    }
}
