import Foundation
import TwinHubBroker

/// A PostgreSQL server of a test's own, from Debian's `postgresql` package: a cluster made by `initdb` in a temporary
/// folder, started by `pg_ctl` on a free loopback port (trust authentication, no fsync), stopped and removed after.
/// Run as root, the server runs as the `postgres` user (it refuses root).
final class PostgresServer: Sendable {
    let port: Int
    let directory: URL
    private let binaries: URL

    /// The database's URL.
    var url: String { "postgres://twinhub@127.0.0.1:\(port)/postgres" }

    /// Where Debian puts the server's programs (the highest version installed), or `nil` when it is not installed.
    static var binaries: URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted().last.map { root.appendingPathComponent("\($0)/bin") }
            .flatMap { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) ? $0 : nil }
    }

    private init(port: Int, directory: URL, binaries: URL) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
    }

    /// Makes a cluster, starts it, runs `body`, then stops the server and removes the folder.
    static func withServer<Result>(_ body: (PostgresServer) async throws -> Result) async throws -> Result {
        guard let binaries else { throw ServerError("PostgreSQL is not installed: scripts/install-system-packages --tests installs postgresql") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = PostgresServer(port: try FreePort.pick(), directory: directory, binaries: binaries)
        defer { try? FileManager.default.removeItem(at: directory) }
        if getuid() == 0 {
            try await Self.run("/usr/bin/chown", ["-R", "postgres:postgres", directory.path], log: directory.appendingPathComponent("chown.log"))
        }
        try await server.tool("initdb", ["-D", server.data.path, "-U", "twinhub", "--auth=trust", "--no-sync", "-E", "UTF8"])
        try await server.start()
        do {
            let result = try await body(server)
            try? await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    private var data: URL { directory.appendingPathComponent("data") }

    /// Starts the server and waits until it accepts connections.
    func start() async throws {
        do {
            try await tool("pg_ctl", ["-D", data.path, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                                      "-o", "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        } catch {
            throw ServerError("\(error)\nserver log:\n\(log.suffix(2000))")
        }
    }

    /// Stops the server (fast shutdown: sessions are ended) and waits until it has.
    func stop() async throws {
        try await tool("pg_ctl", ["-D", data.path, "-w", "-m", "fast", "stop"])
    }

    /// The server's log so far.
    var log: String { (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "" }

    /// Runs one of the server's programs, as `postgres` when run by root.
    private func tool(_ name: String, _ arguments: [String]) async throws {
        let program = binaries.appendingPathComponent(name).path
        let log = directory.appendingPathComponent("\(name).log")
        if getuid() == 0 {
            try await Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments, log: log)
        } else {
            try await Self.run(program, arguments, log: log)
        }
    }

    /// Runs a program to its end without holding a thread (its output goes to `log`).
    private static func run(_ program: String, _ arguments: [String], log: URL) async throws {
        let child = try ChildProcess.spawn(program, arguments, output: log.path)
        let ended = await child.waitForExit()
        guard ended == .exited(0) else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw ServerError("\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) ended (\(ended)):\n\(text)")
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
