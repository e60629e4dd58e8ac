import Foundation
import Testing
import TwinHubBroker

/// `twinhub demo`: the whole factory on its own broker, its script of alerts, and that nothing it starts outlives it.
/// Serialized: a demo removes the folders of dead demos, which one test looks at.
@Suite("twinhub demo", .serialized, .timeLimit(.minutes(3)))
struct DemoTests {
    /// The repository, for the demo's kinds and scenarios.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Arguments that find the kinds and the default scenario from any working directory; the web server on a free
    /// port (demos run side by side here).
    static let files = ["--twins", repository.appendingPathComponent("twins").path,
                        "--scenario", repository.appendingPathComponent("simulations/factory-demo.yaml").path, "--web", "127.0.0.1:0"]

    /// The private broker's process ID, from the demo's first line on standard error.
    static func brokerProcessID(_ demo: ProcessRunner) async throws -> pid_t {
        try await demo.awaitStderr(containing: "private mosquitto at")
        let line = try #require(demo.stderr.split(separator: "\n").first { $0.contains("private mosquitto at") })
        let digits = try #require(line.firstRange(of: "(pid ")).upperBound
        return try #require(pid_t(line[digits...].prefix { $0.isNumber }))
    }

    /// Whether a process is gone: no such process, or a zombie no one has reaped yet.
    static func isGone(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // "pid (comm) S …": the state follows the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "Z"
    }

    /// The demo's own folder.
    static func workspace(_ demo: ProcessRunner) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-demo-\(demo.processID)")
    }

    /// One plain alert line: `time SEVERITY event site/area/line/machine rule: message`.
    struct AlertLine: Equatable, CustomStringConvertible {
        var severity: String
        var event: String
        var machine: String
        var rule: String

        init?(_ line: String) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, fields[4].hasSuffix(":") else { return nil }
            severity = String(fields[1])
            event = String(fields[2])
            machine = String(fields[3].split(separator: "/").last ?? "")
            rule = String(fields[4].dropLast())
        }

        init(_ severity: String, _ event: String, _ machine: String, _ rule: String) {
            self.severity = severity
            self.event = event
            self.machine = machine
            self.rule = rule
        }

        var description: String { "\(machine) \(rule) \(event) \(severity)" }
    }

    /// What the default scenario scripts, each alert's lifecycle in order (alerts of different machines interleave by
    /// wall time, so only each alert's own order and cause before effect are fixed).
    static let script: [[AlertLine]] = [
        [AlertLine("WARNING", "raised", "weld-01", "machine_offline"), AlertLine("WARNING", "cleared", "weld-01", "machine_offline")],
        [AlertLine("MAJOR", "raised", "cnc-02", "coolant_flow_low"), AlertLine("MAJOR", "cleared", "cnc-02", "coolant_flow_low")],
        [AlertLine("WARNING", "raised", "cnc-02", "spindle_overheat"), AlertLine("WARNING", "cleared", "cnc-02", "spindle_overheat")],
        [AlertLine("WARNING", "raised", "cnc-01", "bearing_failure_predicted"), AlertLine("MAJOR", "escalated", "cnc-01", "bearing_failure_predicted")],
    ]

    @Test("--no-console prints the scripted alerts in order (offline and back, overheating and cooling, a predicted failure escalating); SIGTERM stops the broker and removes the files")
    func scriptedAlertsAndCleanExit() async throws {
        // 120×: the script takes about 40 s. The offline alert runs on wall time, and its 10 s warning fits in
        // the 20 s the outage lasts at this speed.
        let demo = try ProcessRunner(["demo", "--no-console", "--speed", "120", "--duration", "2h"] + Self.files)
        let broker = try await Self.brokerProcessID(demo)
        #expect(!Self.isGone(broker))
        #expect(FileManager.default.fileExists(atPath: Self.workspace(demo).path))

        let lines = demo.stdoutLines
        let seen = try await within(.seconds(120), "the scripted alerts") {
            var seen: [AlertLine] = []
            for await line in lines {
                guard let alert = AlertLine(line) else { continue }
                seen.append(alert)
                if Self.script.allSatisfy({ lifecycle in lifecycle.allSatisfy(seen.contains) }) { return seen }
            }
            throw TimedOut(what: "the scripted alerts (the demo ended); saw:\n\(seen.map(\.description).joined(separator: "\n"))")
        }
        for lifecycle in Self.script {
            let positions = lifecycle.compactMap { seen.firstIndex(of: $0) }
            #expect(positions == positions.sorted(), "\(lifecycle) in this order; saw \(seen)")
        }
        let coolant = try #require(seen.firstIndex(of: Self.script[1][0]))
        let overheat = try #require(seen.firstIndex(of: Self.script[2][0]))
        #expect(coolant < overheat, "the cause (coolant flow) before the effect (overheating)")

        demo.kill(SIGTERM)
        #expect(try await demo.exitStatus() == 0)
        #expect(Self.isGone(broker), "the private mosquitto stopped with the demo")
        #expect(!FileManager.default.fileExists(atPath: Self.workspace(demo).path), "the demo's folder is removed")
        #expect(demo.stderr.contains("everything it started is stopped, the broker last"), "\(demo.stderr)")
    }

    @Test("kill -9 of the demo leaves no mosquitto behind (a watchdog stops it), and the next demo removes the dead one's folder")
    func noLeftoversAfterKill() async throws {
        let demo = try ProcessRunner(["demo", "--no-console"] + Self.files)
        let broker = try await Self.brokerProcessID(demo)
        try await demo.awaitStderr(containing: "Ctrl-C stops")
        let folder = Self.workspace(demo)
        demo.kill(SIGKILL)
        _ = try await demo.exitStatus()
        // The broker is not our child: its end has no event to await.
        _ = try await poll("mosquitto (pid \(broker)) to stop after the demo was killed") { Self.isGone(broker) ? true : nil }
        #expect(FileManager.default.fileExists(atPath: folder.path), "a killed demo cannot clean up its folder")

        let next = try ProcessRunner(["demo", "--no-console", "--speed", "600", "--duration", "1m"] + Self.files)
        let nextBroker = try await Self.brokerProcessID(next)
        #expect(!FileManager.default.fileExists(atPath: folder.path), "the next demo removed the killed one's folder")
        #expect(try await next.exitStatus() == 0, "\(next.stderr)")
        #expect(next.stderr.contains("the simulation reached its duration"), "\(next.stderr)")
        #expect(Self.isGone(nextBroker))
    }

    @Test("Piped (no terminal) and without --no-console, the demo says why it shows the plain stream instead of the console")
    func pipedSaysWhy() async throws {
        let demo = try ProcessRunner(["demo", "--speed", "600", "--duration", "1m"] + Self.files)
        #expect(try await demo.exitStatus() == 0, "\(demo.stderr)")
        #expect(demo.stderr.contains("standard input or output is not a terminal"), "\(demo.stderr)")
        let chosen = try ProcessRunner(["demo", "--no-console", "--speed", "600", "--duration", "1m"] + Self.files)
        #expect(try await chosen.exitStatus() == 0, "\(chosen.stderr)")
        #expect(!chosen.stderr.contains("not a terminal"), "--no-console is a choice, not a fallback")
    }

    @Test("When a part fails (the broker is killed), the demo stops the rest, says why and exits 1")
    func partFailure() async throws {
        let demo = try ProcessRunner(["demo", "--no-console"] + Self.files)
        let broker = try await Self.brokerProcessID(demo)
        try await demo.awaitStderr(containing: "Ctrl-C stops")
        kill(broker, SIGKILL)
        #expect(try await demo.exitStatus() == 1)
        #expect(demo.stderr.contains("the broker was killed by signal 9"), "\(demo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: Self.workspace(demo).path))
    }

    @Test("On SIGTERM the parts stop in order: the simulator's machines leave the broker first, then the viewer, then the twin service")
    func stopOrder() async throws {
        try await MosquittoBroker.withBroker { broker in
            let demo = try ProcessRunner(["demo", "--no-console", "--broker", broker.url] + Self.files)
            try await demo.awaitStderr(containing: "Ctrl-C stops")
            demo.kill(SIGTERM)
            #expect(try await demo.exitStatus() == 0, "\(demo.stderr)")
            #expect(demo.stderr.contains("stopped by a signal; everything it started is stopped"), "\(demo.stderr)")
            // Each client's departure as the broker logged it (a clean DISCONNECT or the socket closed after it).
            func departures() -> [Substring] {
                broker.log.split(separator: "\n").filter { $0.contains(" disconnected") || $0.contains(" closed its connection") }
            }
            func last(_ client: String, in lines: [Substring]) -> Int? { lines.lastIndex { $0.contains("Client \(client)") } }
            // The broker's log is another process's file, written as it notices the last client go: poll it.
            let lines = try await poll("the twin service's departure in the broker's log", lastSeen: { broker.log }) {
                let lines = departures()
                return last("twinhub-demo-serve-", in: lines) == nil ? nil : lines
            }
            let machines = try #require(last("twinhub-sim/", in: lines), "\(lines)")
            let viewer = try #require(last("twinhub-console-", in: lines), "\(lines)")
            let service = try #require(last("twinhub-demo-serve-", in: lines), "\(lines)")
            #expect(machines < viewer && viewer < service, "\(lines.joined(separator: "\n"))")
        }
    }

    @Test("Two demos at once get their own broker port, folder and database")
    func twoDemos() async throws {
        let first = try ProcessRunner(["demo", "--no-console"] + Self.files)
        let second = try ProcessRunner(["demo", "--no-console"] + Self.files)
        let brokers = [try await Self.brokerProcessID(first), try await Self.brokerProcessID(second)]
        try await first.awaitStderr(containing: "Ctrl-C stops")
        try await second.awaitStderr(containing: "Ctrl-C stops")
        let urls = [first, second].map { demo in demo.stderr.split(separator: " ").first { $0.hasPrefix("mqtt://") }.map(String.init) }
        #expect(urls[0] != nil && urls[0] != urls[1], "\(urls)")
        #expect(Self.workspace(first) != Self.workspace(second))
        #expect(FileManager.default.fileExists(atPath: Self.workspace(first).appendingPathComponent("twins.sqlite").path))
        #expect(FileManager.default.fileExists(atPath: Self.workspace(second).appendingPathComponent("twins.sqlite").path))
        first.kill(SIGINT)
        second.kill(SIGTERM)
        #expect(try await first.exitStatus() == 0)
        #expect(try await second.exitStatus() == 0)
        #expect(brokers.allSatisfy(Self.isGone))
    }
}

extension DemoTests {
/// `twinhub demo` with its console on a real terminal (a tmux pane); nested, so serialized with the others.
@Suite("twinhub demo on a terminal", .enabled(if: TmuxConsole.isInstalled, "tmux is not on PATH"), .timeLimit(.minutes(1)))
struct OnATerminal {
    /// The broker's process ID from the lines the demo printed before the console took the screen.
    static func brokerProcessID(_ screen: String) -> pid_t? {
        guard let line = screen.split(separator: "\n").first(where: { $0.contains("private mosquitto at") }),
              let start = line.firstRange(of: "(pid ")?.upperBound else { return nil }
        return pid_t(line[start...].prefix { $0.isNumber })
    }

    @Test("The console shows the factory's lines and machines; q stops every part and the broker, and gives the terminal back")
    func quitStopsEverything() async throws {
        let pane = try TmuxConsole(["demo"] + DemoTests.files, width: 120, height: 34)
        defer { pane.close() }
        let screen = try await pane.awaitScreen("the demo's fleet") { screen in
            ["line-1", "cell-1", "laser-01", "weld-01", "cnc-02", "compressor-01"].allSatisfy(screen.contains)
        }
        #expect(try pane.isOnAlternateScreen, "full screen: \(screen)")
        try pane.press("q")
        #expect(try await pane.exitStatus() == 0)
        try ConsoleTerminalTests.expectRestored(pane)
        let after = pane.screen
        let broker = try #require(Self.brokerProcessID(after), "the broker line before the console: \(after)")
        #expect(DemoTests.isGone(broker), "mosquitto stopped with the demo")
        #expect(after.contains("quit; everything it started is stopped, the broker last"), "\(after)")
    }

    @Test("SIGTERM to the demo with its console stops everything and gives the terminal back")
    func terminateStopsEverything() async throws {
        let pane = try TmuxConsole(["demo"] + DemoTests.files, width: 100, height: 30)
        defer { pane.close() }
        _ = try await pane.awaitScreen("the demo's fleet") { $0.contains("weld-01") }
        kill(try await pane.consoleProcessID(), SIGTERM)
        #expect(try await pane.exitStatus() == 0)
        try ConsoleTerminalTests.expectRestored(pane)
        let broker = try #require(Self.brokerProcessID(pane.screen), "\(pane.screen)")
        #expect(DemoTests.isGone(broker))
    }
}
}
