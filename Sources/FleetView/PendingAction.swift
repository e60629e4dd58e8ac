import TwinModel
import Foundation

/// A command sent and not yet seen to work. The console shows its effect only when the twin or the alert
/// changes, never before: this is what it waits for.
public struct PendingAction: Sendable, Equatable {
    /// What would show that the action worked.
    public enum Expectation: Sendable, Equatable {
        /// The machine's twin reports one of these states.
        case state(PlantPath, [String])
        /// The machine's twin reports a state other than this one.
        case leftState(PlantPath, String)
        /// The alert shows as acknowledged, or an `acknowledged` event for it came after event number `afterEvent`.
        case acknowledged(AlertKey, afterEvent: Int)
    }

    public var expectation: Expectation
    /// What was sent, in words ("stop of cnc-01").
    public var what: String
    /// Said when the expectation holds.
    public var success: String
    /// When it was sent.
    public var sentAt: Date

    public init(expectation: Expectation, what: String, success: String, sentAt: Date) {
        self.expectation = expectation
        self.what = what
        self.success = success
        self.sentAt = sentAt
    }

    /// Whether `model` shows the effect.
    public func isFulfilled(by model: FleetModel) -> Bool {
        switch expectation {
        case .state(let key, let states):
            guard let machine = model.machines[key] else { return false }
            return states.contains(machine.state)
        case .leftState(let key, let state):
            guard let machine = model.machines[key] else { return false }
            return machine.state != state
        case .acknowledged(let key, let mark):
            if model.alerts[key]?.isAcknowledged == true { return true }
            return model.events(after: mark).contains { $0.event == "acknowledged" && $0.alert.key == key }
        }
    }
}
