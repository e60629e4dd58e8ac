/// Why a ``TwinStorage`` could not do what it was asked, with where and the driver's own words.
///
/// A struct over a private enum: new codes can come without breaking code that switches over the known ones.
public struct TwinStorageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value to compare with (`error.code == .cannotSave`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case cannotOpen = "cannot_open"
            case cannotLoad = "cannot_load"
            case cannotSave = "cannot_save"
            case cannotClose = "cannot_close"
            case cannotLease = "cannot_lease"
            case closed
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The store cannot be opened or its schema brought up to date (no such folder, not a database, no permission).
        public static let cannotOpen = Code(.cannotOpen)
        /// The stored twins cannot be read at all (a single unreadable row is reported by ``TwinStorage/loadAll()``
        /// instead).
        public static let cannotLoad = Code(.cannotLoad)
        /// A batch could not be written (disk full, database locked, I/O error): none of it is stored.
        public static let cannotSave = Code(.cannotSave)
        /// The store could not be closed cleanly; what was written stays written.
        public static let cannotClose = Code(.cannotClose)
        /// Leases or heartbeats could not be read or written (the database is out of reach): what an instance holds
        /// stays its own until the leases lapse.
        public static let cannotLease = Code(.cannotLease)
        /// The store was closed (its ``TwinStorage/run()`` ended).
        public static let closed = Code(.closed)

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// Which store: a file's path, a server's address.
    public let location: String
    /// What happened, in the driver's words where it said something.
    public let reason: String

    public init(_ code: Code, location: String, reason: String) {
        self.code = code
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(code) (\(location)): \(reason)" }
}
