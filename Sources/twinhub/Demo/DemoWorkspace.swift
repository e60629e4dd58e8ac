import Foundation

/// The demo's own folder for the broker's files and the twin database: `twinhub-demo-{pid}` in the temporary
/// folder, so two demos on one machine never share a file. It is removed when the demo ends; the folders of
/// demos that were killed (their process is gone) are removed by the next demo.
struct DemoWorkspace {
    static let prefix = "twinhub-demo-"
    let directory: URL

    /// Makes this process's folder, after removing those of demos no longer running.
    static func create() throws -> DemoWorkspace {
        let temporary = FileManager.default.temporaryDirectory
        removeAbandoned(in: temporary)
        let directory = temporary.appendingPathComponent("\(prefix)\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return DemoWorkspace(directory: directory)
    }

    /// The twin database's path.
    var database: String { directory.appendingPathComponent("twins.sqlite").path }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func removeAbandoned(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let owner = pid_t(name.dropFirst(prefix.count)), owner != getpid() else { continue }
            // ESRCH: no such process. EPERM means it exists but is someone else's: leave it.
            if kill(owner, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
    }
}
