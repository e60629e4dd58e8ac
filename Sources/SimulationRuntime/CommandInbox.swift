import Synchronization
import TwinModel

/// Commands the machines received, waiting for the fleet's next pass: a machine's link posts what arrives on its `cmd`
/// topic (or, decoded, in a DCMD of its edge node), the fleet's run loop takes them all at once and hands each to its
/// machine's simulator.
final class CommandInbox: Sendable {
    /// Most commands waiting for the next tick; beyond it they are dropped and counted.
    static let capacity = 10_000

    /// A command as it came: a JSON payload to decode, or a request already decoded.
    enum Command: Sendable {
        case payload([UInt8])
        case request(MachineCommandRequest)
    }

    /// Each waiting command: the index of the machine it is for, and the command.
    private let waiting = Mutex<[(Int, Command)]>([])

    /// Keeps a command for machine `index` until the next ``takeAll()``.
    /// - Returns: `false` when ``capacity`` commands are already waiting: this one is dropped.
    func post(_ command: Command, for index: Int) -> Bool {
        waiting.withLock { inbox in
            guard inbox.count < Self.capacity else { return false }
            inbox.append((index, command))
            return true
        }
    }

    /// The commands posted since the last call, oldest first; the inbox is empty after.
    func takeAll() -> [(Int, Command)] {
        waiting.withLock { inbox in
            defer { inbox.removeAll() }
            return inbox
        }
    }
}
