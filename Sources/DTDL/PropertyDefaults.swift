/// A starting point for an imported property: ranges and a signal chosen from its unit (which DTDL's semantic type
/// fixes), each with the reason, for the user to tune.
struct PropertyDefaults {
    var normal: ClosedRange<Double>
    var limits: ClosedRange<Double>
    var decimals: Int
    /// The signal as a YAML flow mapping.
    var signal: String
    /// Why this signal, in words, for the comment above it.
    var why: String

    /// A level that moves toward a target per state with a lag, as most machine quantities do.
    private static func lagging(_ normal: ClosedRange<Double>, _ limits: ClosedRange<Double>, decimals: Int, running: Double, rest: Double,
                                lag: String, noise: Double, why: String) -> PropertyDefaults {
        PropertyDefaults(normal: normal, limits: limits, decimals: decimals,
                         signal: "{ target: { running: \(YAMLText.number(running)), default: \(YAMLText.number(rest)) }, lag: \(lag), noise: \(YAMLText.number(noise)) }",
                         why: why)
    }

    /// The defaults for a number in `unit` (a TwinHub symbol).
    static func forUnit(_ unit: String) -> PropertyDefaults {
        switch unit {
        case "°C":
            lagging(15...80, -40...200, decimals: 1, running: 60, rest: 22, lag: "10m", noise: 0.2,
                    why: "a temperature lags a target: 60 °C running, 22 °C at rest, over 10 minutes")
        case "K":
            lagging(288...353, 233...473, decimals: 1, running: 333, rest: 295, lag: "10m", noise: 0.2,
                    why: "a temperature lags a target: 333 K running, 295 K at rest, over 10 minutes")
        case "rpm":
            lagging(0...6000, 0...12000, decimals: 0, running: 3000, rest: 0, lag: "3s", noise: 10,
                    why: "a speed runs up to a target while the machine runs and stands still otherwise")
        case "kW":
            lagging(0...20, 0...50, decimals: 2, running: 12, rest: 0.5, lag: "5s", noise: 0.1,
                    why: "power follows the state: full draw running, standby otherwise")
        case "W":
            lagging(0...2000, 0...5000, decimals: 0, running: 1200, rest: 50, lag: "5s", noise: 10,
                    why: "power follows the state: full draw running, standby otherwise")
        case "bar":
            lagging(0...8, 0...16, decimals: 2, running: 6, rest: 0, lag: "10s", noise: 0.05,
                    why: "a pressure builds while the machine runs and falls when it stops")
        case "l/min", "m³/min", "m³/h":
            lagging(0...40, 0...60, decimals: 1, running: 24, rest: 0, lag: "4s", noise: 0.3,
                    why: "a flow runs with the machine and stops with it")
        case "%":
            lagging(0...85, 0...100, decimals: 1, running: 55, rest: 0, lag: "5s", noise: 1,
                    why: "a load in percent follows the state: 55 % running, 0 at rest")
        case "mm/s", "g":
            PropertyDefaults(normal: 0...4.5, limits: 0...45, decimals: 2,
                             signal: "{ target: { running: 2, default: 0.1 }, lag: 5s, noise: 0.05 }",
                             why: "a vibration is low at rest and steady while running (ISO 10816 zone A/B below 4.5 mm/s)")
        case "A":
            lagging(0...50, 0...100, decimals: 1, running: 25, rest: 1, lag: "2s", noise: 0.2,
                    why: "a current follows the load: high running, low at rest")
        case "V":
            PropertyDefaults(normal: 380...420, limits: 0...500, decimals: 0, signal: "{ constant: 400, noise: 1 }",
                             why: "a supply voltage holds steady with a little noise")
        case "Hz":
            lagging(0...60, 0...100, decimals: 1, running: 50, rest: 0, lag: "2s", noise: 0.1,
                    why: "a frequency (of a drive) follows the state")
        default:
            lagging(0...100, 0...1000, decimals: 2, running: 50, rest: 0, lag: "10s", noise: 0.5,
                    why: "no default for \(unit.isEmpty ? "a unitless number" : "'\(unit)'"): a level that follows the state; the ranges are placeholders")
        }
    }

    /// A counter: it only grows while the machine operates.
    static let counter = PropertyDefaults(normal: 0...1_000_000_000, limits: 0...1_000_000_000, decimals: 0,
                                          signal: "{ wear: { per_hour: 60 } }",
                                          why: "a counter counts: it grows by 60 an operating hour")

    /// A boolean, published as 0 or 1.
    static let boolean = PropertyDefaults(normal: 0...1, limits: 0...1, decimals: 0,
                                          signal: "{ constant: 0, walk: { step: 0.02, range: [0, 1] } }",
                                          why: "a boolean changes rarely: a slow walk between 0 and 1, published as 0 or 1")
}
