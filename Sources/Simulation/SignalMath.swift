import Foundation

/// The arithmetic of each signal component, as pure functions of their inputs.
public enum SignalMath {
    /// One step of a first-order lag: the level moves toward `target` with time constant `tau`.
    /// Exact for a constant target over `dt`: after one `tau` the gap has shrunk to 1/e.
    public static func lag(level: Double, target: Double, dt: Double, tau: Double) -> Double {
        guard tau > 0 else { return target }
        return target + (level - target) * exp(-dt / tau)
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
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }
}
