/// What a fault does to the machine.
public enum FaultEffect: Sendable {
    /// The wear signal of `property` grows `acceleration` times faster; at `failsAt` the machine trips to
    /// `fault` (a failed bearing). Clearing it is a bearing replacement: the wear returns to its initial value.
    case bearingWear(property: String, acceleration: Double, failsAt: Double)
    /// Loss of cooling: `property`'s target rises by `rise`; `cuts` (a coolant flow) drops to 0; at
    /// `tripsAt` the machine trips to `fault`.
    case overheating(property: String, rise: Double, cuts: String?, tripsAt: Double?)
    /// A broken tool: the scrap rate jumps to `scrapRate`.
    case toolBreakage(scrapRate: Double)
    /// The sensor of `property` repeats its last value.
    case sensorStuck(property: String)
    /// The sensor of `property` drifts by `perHour` per hour.
    case sensorDrift(property: String, perHour: Double)
    /// The sensor of `property` stops reporting: the property is missing from telemetry.
    case sensorDropout(property: String)
    /// The sensor of `property` reports spikes of `magnitude`, with `probability` per sample.
    case sensorSpikes(property: String, magnitude: Double, probability: Double)
    /// The machine's network connection drops: the broker publishes its last will.
    case networkLoss
    /// The machine loses power: offline, signals at rest, connection dropped.
    case powerLoss

    /// The effect's name in YAML (`effect:`).
    public var kind: String {
        switch self {
        case .bearingWear: "bearing_wear"
        case .overheating: "overheating"
        case .toolBreakage: "tool_breakage"
        case .sensorStuck: "sensor_stuck"
        case .sensorDrift: "sensor_drift"
        case .sensorDropout: "sensor_dropout"
        case .sensorSpikes: "sensor_spikes"
        case .networkLoss: "network_loss"
        case .powerLoss: "power_loss"
        }
    }

    /// The property the effect acts on, if any.
    public var property: String? {
        switch self {
        case .bearingWear(let property, _, _), .overheating(let property, _, _, _), .sensorStuck(let property),
             .sensorDrift(let property, _), .sensorDropout(let property), .sensorSpikes(let property, _, _):
            property
        case .toolBreakage, .networkLoss, .powerLoss:
            nil
        }
    }
}
