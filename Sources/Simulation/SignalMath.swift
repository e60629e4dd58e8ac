import Foundation

/// The arithmetic of each signal component, as pure functions of their inputs.
public enum SignalMath {
    /// One step of a first-order lag: the level moves toward `target` with time constant `tau`.
    /// Exact for a constant target over `dt`: after one `tau` the gap has shrunk to 1/e.
    public static func lag(level: Double, target: Double, dt: Double, tau: Double) -> Double {
        guard tau > 0 else { return target }
        return lag(level: level, target: target, factor: lagFactor(dt: dt, tau: tau))
    }

    /// What is left of the gap to the target after a lag step of `dt` with time constant `tau` (> 0).
    public static func lagFactor(dt: Double, tau: Double) -> Double {
        exp(-dt / tau)
    }

    /// One lag step with its ``lagFactor(dt:tau:)`` worked out ahead (a machine's sample interval does not change).
    public static func lag(level: Double, target: Double, factor: Double) -> Double {
        target + (level - target) * factor
    }

    /// One step of a bounded random walk: a uniform move of at most ±`step`, reflected into `range`.
    public static func walk(position: Double, step: Double, range: ClosedRange<Double>, uniform: Double) -> Double {
        var next = position + (uniform * 2 - 1) * step
        if next > range.upperBound { next = 2 * range.upperBound - next }
        if next < range.lowerBound { next = 2 * range.lowerBound - next }
        return min(max(next, range.lowerBound), range.upperBound)
    }

    /// A sine of `amplitude` and `period` (seconds) at time `t`, shifted by `phase` periods.
    public static func sine(t: Double, amplitude: Double, period: Double, phase: Double) -> Double {
        amplitude * sin(2 * .pi * (t / period + phase))
    }

    /// A daily cycle peaking at `peakHour` (UTC), for a time of day in seconds.
    public static func daily(secondsOfDay: Double, amplitude: Double, peakHour: Double) -> Double {
        amplitude * cos(2 * .pi * (secondsOfDay / 86_400 - peakHour / 24))
    }

    /// Wear after `operatingSeconds` more of operation at `perHour` (× `acceleration` under a fault).
    public static func wear(level: Double, perHour: Double, acceleration: Double, operatingSeconds: Double) -> Double {
        level + perHour * acceleration * operatingSeconds / 3600
    }

    /// Rounds to `decimals` places for publishing.
    public static func rounded(_ value: Double, decimals: Int) -> Double {
        rounded(value, scale: roundingScale(decimals: decimals))
    }

    /// `10^decimals`, for ``rounded(_:scale:)``.
    public static func roundingScale(decimals: Int) -> Double {
        pow(10, Double(decimals))
    }

    /// Rounds with a ``roundingScale(decimals:)`` worked out ahead.
    public static func rounded(_ value: Double, scale: Double) -> Double {
        (value * scale).rounded() / scale
    }
}
