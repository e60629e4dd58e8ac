/// A file, folder, database or setting a command was given that it cannot use (a kind with errors, a scenario that
/// does not exist, a database of another schema). Printed as `Error: …` with where and why, without the usage text
/// that argument errors get, and the command exits with status 64 (EX_USAGE) like those.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// The exit status.
    static let exitStatus: Int32 = 64
}
