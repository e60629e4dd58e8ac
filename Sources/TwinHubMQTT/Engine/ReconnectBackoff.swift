import Foundation

/// Exponential backoff with jitter: pure, so its arithmetic is tested without a clock or a network.
struct ReconnectBackoff: Sendable {
    let policy: ClientConfiguration.ReconnectPolicy

    /// The delay before attempt `attempt` (1-based), given a uniform random number in `0..<1`.
    func delay(attempt: Int, random: Double) -> Duration {
        let initial = policy.initialDelay.seconds
        let maximum = policy.maximumDelay.seconds
        let exponent = Double(max(attempt - 1, 0))
        let base = min(initial * pow(policy.multiplier, min(exponent, 64)), maximum)
        let spread = base * policy.jitter * (random * 2 - 1)
        return .seconds(min(max(base + spread, 0), maximum))
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
