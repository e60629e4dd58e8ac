import Foundation

/// Where TwinHub keeps what it stores between runs when no path is given: `$XDG_DATA_HOME/twinhub`, else
/// `~/.local/share/twinhub` (the XDG Base Directory default), never the current folder.
enum DataFolder {
    /// The folder for `environment`; `nil` when neither `XDG_DATA_HOME` nor `HOME` says where.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        // The specification ignores a relative XDG_DATA_HOME.
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return (data as NSString).appendingPathComponent("twinhub") }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".local/share/twinhub")
    }

    /// The default twin database of a topic root, its folder created.
    /// - Throws: when there is no data folder or it cannot be created.
    static func database(root: String) throws -> String {
        guard let folder = path() else { throw ConfigurationError("no data folder: set XDG_DATA_HOME or HOME, or give --db") }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("cannot create the data folder '\(folder)': \(error.localizedDescription); give --db")
        }
        return (folder as NSString).appendingPathComponent("twinhub-\(root.replacingOccurrences(of: "/", with: "_")).sqlite")
    }
}
