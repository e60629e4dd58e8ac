import Rules
import Twins

/// A twin as stored: its record and the memories of its rules (timers, windows, alerts), written
/// together so a restart neither loses nor repeats an alert.
public struct StoredTwin: Sendable, Equatable {
    public var record: Twin.Record
    public var rules: MachineRules.Saved?

    public init(record: Twin.Record, rules: MachineRules.Saved? = nil) {
        self.record = record
        self.rules = rules
    }
}

/// What ``TwinStorage/loadAll()`` found: the twins it could read, and the rows it could not.
public struct LoadedTwins: Sendable {
    public var twins: [StoredTwin]
    /// Ids of rows that cannot be read (skipped, never fatal); `"{id} (rules)"` where only the rules' memories cannot.
    public var unreadable: [String]

    public init(twins: [StoredTwin], unreadable: [String]) {
        self.twins = twins
        self.unreadable = unreadable
    }
}
