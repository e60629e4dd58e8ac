import Foundation

/// `twinhub console` on a real terminal: a pane of a private tmux server (`tmux -L <unique> -f /dev/null`), so
/// tests can read the screen, type keys and look at the terminal's modes as a user would.
///
/// The pane runs a small shell script rather than the console itself: it records the terminal settings
/// (`stty -g`) before and after the console, the console's process ID and its exit status, then stays alive.
/// A live pane matters: tmux 3.3 hides the cursor of a dead pane (`#{cursor_flag}` is then always 0), so
/// only a pane whose shell is still there tells whether the console showed the cursor again.
final class TmuxConsole: Sendable {
    /// Whether `tmux` is on PATH.
    static var isInstalled: Bool { executable != nil }

    private static var executable: URL? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("tmux") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// The tmux server's socket name.
    let server: String
    /// Holds the script and what it records.
    let folder: URL

    /// Starts `twinhub <arguments>` in a detached `width`×`height` session, with `environment` added to the
    /// console's own.
    init(_ arguments: [String], environment: [String: String] = [:], width: Int = 100, height: Int = 30) throws {
        server = "twinhub-test-\(UUID().uuidString.prefix(8))"
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(server)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let console = ([ProcessRunner.twinhub.path] + arguments).map(Self.quoted).joined(separator: " ")
        let variables = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted($0.value)) " }.joined()
        // `sh -c 'echo $$ …; exec …'` gives the console the process ID written: exec keeps it.
        let script = """
            cd \(Self.quoted(folder.path))
            stty -g > stty-before
            \(variables)sh -c 'echo $$ > pid; exec "$@"' console \(console)
            status=$?
            stty -g > stty-after
            echo $status > status
            exec sleep 600
            """
        try script.write(to: folder.appendingPathComponent("run.sh"), atomically: true, encoding: .utf8)
        try tmux(["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-c", folder.path, "sh run.sh"])
    }

    deinit { close() }

    /// Kills the tmux server (and with it whatever still runs in the pane) and removes its socket and the folder.
    /// Safe to call twice.
    func close() {
        let socket = try? value("#{socket_path}")
        _ = try? tmux(["kill-server"])
        if let socket, !socket.isEmpty { try? FileManager.default.removeItem(atPath: socket) }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `tmux` on this server and returns its standard output.
    ///
    /// Not with `Process`: the tmux server that the first command starts would inherit the test thread's blocked
    /// signals (SIGTERM, which `kill-server` sends itself, and SIGCHLD) and keep the pipes of the test open. So a
    /// `posix_spawn` with an empty signal mask and default actions, output to files.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        guard let executable = Self.executable else { throw TmuxError("tmux is not on PATH") }
        let name = UUID().uuidString.prefix(8)
        let output = folder.appendingPathComponent("tmux-\(name).out"), errors = folder.appendingPathComponent("tmux-\(name).err")
        defer {
            try? FileManager.default.removeItem(at: output)
            try? FileManager.default.removeItem(at: errors)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable.path, "-u", "-L", server, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable.path, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw TmuxError("cannot run tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0, errno == EINTR {}
        let read = { (file: URL) in (try? String(contentsOf: file, encoding: .utf8)) ?? "" }
        guard status == 0 else { throw TmuxError("tmux \(arguments.joined(separator: " ")) (wait status \(status)): \(read(errors))") }
        return read(output)
    }

    /// The text on the screen now.
    var screen: String { (try? tmux(["capture-pane", "-p"])) ?? "" }

    /// A tmux format of the pane, e.g. `#{alternate_on}`.
    func value(_ format: String) throws -> String {
        try tmux(["display-message", "-p", format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the pane is on the alternate screen.
    var isOnAlternateScreen: Bool { get throws { try value("#{alternate_on}") == "1" } }

    /// Whether the pane shows its cursor.
    var showsCursor: Bool { get throws { try value("#{cursor_flag}") == "1" } }

    /// Types `text` as it is (no key names).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-l", text])
    }

    /// Presses keys by tmux name: `Enter`, `Escape`, `q`.
    func press(_ keys: String...) throws {
        try tmux(["send-keys"] + keys)
    }

    /// The first screen that `predicate` accepts, polled every 50 ms.
    @discardableResult
    func awaitScreen(_ what: String, within limit: Duration = .seconds(15), _ predicate: (String) -> Bool) async throws -> String {
        try await poll("\(what) on the screen", within: limit, lastSeen: { self.screen }) {
            let screen = self.screen
            return predicate(screen) ? screen : nil
        }
    }

    /// The console's process ID, once it has started.
    func consoleProcessID() async throws -> Int32 {
        try await poll("the console to start", lastSeen: { self.screen }) { Int32(recorded("pid") ?? "") }
    }

    /// The console's exit status as the shell saw it (128 + N for a signal N that ended it).
    func exitStatus(within limit: Duration = .seconds(15)) async throws -> Int32 {
        try await poll("the console to exit", within: limit, lastSeen: { self.screen }) { Int32(recorded("status") ?? "") }
    }

    /// Whether the terminal settings after the console are the ones before it (call after ``exitStatus(within:)``).
    var settingsRestored: Bool {
        recorded("stty-before") != nil && recorded("stty-before") == recorded("stty-after")
    }

    /// A file the script wrote, trimmed; nil while it is missing or empty.
    private func recorded(_ name: String) -> String? {
        let text = (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return text?.isEmpty == false ? text : nil
    }

    /// `text` quoted for the shell.
    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

struct TmuxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
