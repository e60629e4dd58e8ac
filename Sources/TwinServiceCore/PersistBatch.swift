import Rules
import TwinStorage
import Twins

/// Twins to store together, as they were when the batch was taken.
public struct PersistBatch: Sendable {
    /// A batch's number: batches are numbered as they are taken.
    public struct ID: Sendable, Hashable, Comparable, CustomStringConvertible {
        public let value: UInt64

        public init(_ value: UInt64) {
            self.value = value
        }

        public static func < (lhs: ID, rhs: ID) -> Bool { lhs.value < rhs.value }
        public var description: String { "#\(value)" }
    }

    /// A twin (a copy-on-write value: taking it costs a reference) and its rules' memories.
    public struct Entry: Sendable {
        public var twin: Twin
        public var rules: MachineRules.Saved?
    }

    public var id: ID
    public var entries: [Entry]

    /// The twins to store. Their records are made here, on the caller's task: making them where the batch is taken
    /// would hold up the core.
    public func storedTwins() -> [StoredTwin] {
        entries.map { StoredTwin(record: $0.twin.record, rules: $0.rules) }
    }
}
