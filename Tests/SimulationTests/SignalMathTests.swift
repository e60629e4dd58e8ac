import Foundation
import Testing
@testable import Simulation

@Suite("Signal generator maths")
struct SignalMathTests {
    @Test("A first-order lag closes 1 - 1/e of the gap in one time constant, whatever the step size")
    func lag() {
        #expect(abs(SignalMath.lag(level: 0, target: 100, dt: 10, tau: 10) - 100 * (1 - exp(-1))) < 1e-9)
        var stepped = 0.0
        for _ in 0..<100 { stepped = SignalMath.lag(level: stepped, target: 100, dt: 0.1, tau: 10) }
        #expect(abs(stepped - 100 * (1 - exp(-1))) < 1e-9, "exact for a constant target")
        #expect(SignalMath.lag(level: 5, target: 7, dt: 1, tau: 0) == 7)
    }

    @Test("A bounded random walk never leaves its range")
    func walk() {
        var rng = RandomSource(seed: 1)
        var position = 0.0
        var extremes = (low: 0.0, high: 0.0)
        for _ in 0..<100_000 {
            position = SignalMath.walk(position: position, step: 3, range: -10...10, uniform: rng.uniform())
            extremes = (min(extremes.low, position), max(extremes.high, position))
        }
        #expect(extremes.low >= -10 && extremes.high <= 10)
        #expect(extremes.low < -9 && extremes.high > 9, "it explores the whole range")
        #expect(SignalMath.walk(position: 9.5, step: 3, range: -10...10, uniform: 1) == 7.5, "12.5 reflects at the edge to 7.5")
    }

    @Test("Sine, daily cycle, wear and rounding")
    func periodic() {
        #expect(abs(SignalMath.sine(t: 15, amplitude: 2, period: 60, phase: 0) - 2) < 1e-12)
        #expect(abs(SignalMath.sine(t: 0, amplitude: 2, period: 60, phase: 0.25) - 2) < 1e-12)
        #expect(abs(SignalMath.daily(secondsOfDay: 15 * 3600, amplitude: 5, peakHour: 15) - 5) < 1e-12)
        #expect(abs(SignalMath.daily(secondsOfDay: 3 * 3600, amplitude: 5, peakHour: 15) + 5) < 1e-12)
        #expect(SignalMath.wear(level: 10, perHour: 0.5, acceleration: 4, operatingSeconds: 1800) == 11)
        #expect(SignalMath.rounded(3.14159, decimals: 2) == 3.14)
        #expect(SignalMath.rounded(1234.5, decimals: 0) == 1235)
    }

    @Test("The random source is reproducible and its normal deviates have mean 0 and deviation 1")
    func randomSource() {
        var a = RandomSource(seed: 42, stream: "acme/site/area/line/m1")
        var b = RandomSource(seed: 42, stream: "acme/site/area/line/m1")
        var c = RandomSource(seed: 42, stream: "acme/site/area/line/m2")
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var rng = RandomSource(seed: 7)
        let samples = (0..<200_000).map { _ in rng.gaussian() }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let deviation = (samples.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(samples.count)).squareRoot()
        #expect(abs(mean) < 0.01)
        #expect(abs(deviation - 1) < 0.01)
        let exponential = (0..<200_000).map { _ in rng.exponential(mean: 30) }
        #expect(abs(exponential.reduce(0, +) / 200_000 - 30) < 0.5)
    }
}
