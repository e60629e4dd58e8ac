import Foundation
import TwinModel
import Twins
import TwinHubProtocol

/// Commands for desired states: one at once when a desired state comes in, then again every interval while the
/// machine has not reported the state, only while it is online, and no more once it has.
struct CommandRetry: Sendable {
    /// Seconds between two commands to a machine.
    let interval: Double
    /// Twins with a desired state not yet reported: the only ones a command may be due for.
    private(set) var pending: Set<PlantPath> = []
    private var lastSent: [PlantPath: Date] = [:]

    init(interval: Duration) {
        self.interval = interval.secondsValue
    }

    /// `twin` changed through `channel`.
    /// - Returns: the command to send at once: the delta of a desired state just set.
    mutating func noteChange(of twin: Twin, channel: TopicMap.Channel, now: Date) -> MachineCommandRequest? {
        guard twin.desiredState != nil else { return nil }
        pending.insert(twin.address)
        guard channel == .desired, let command = twin.command else { return nil }
        lastSent[twin.address] = now
        return command
    }

    /// The commands due at `now`: to online machines whose desired state is not reported, the last one sent an
    /// interval ago or more. An offline machine gets its command once it is back.
    mutating func due(now: Date, in store: TwinStore) -> [(PlantPath, MachineCommandRequest)] {
        var due: [(PlantPath, MachineCommandRequest)] = []
        for address in pending {
            guard let twin = store.twins[address], let command = twin.command else {
                pending.remove(address)
                lastSent[address] = nil
                continue
            }
            guard twin.connectivity.status == .online else { continue }
            if let last = lastSent[address], now.timeIntervalSince(last) < interval { continue }
            due.append((address, command))
            lastSent[address] = now
        }
        return due
    }
}
