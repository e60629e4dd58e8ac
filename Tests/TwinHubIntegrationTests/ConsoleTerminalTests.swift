import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT

/// The full-screen `twinhub console` on a real terminal (a tmux pane): what it shows, what keys do, and that the
/// terminal is given back however it ends. The alert comes from the twin service with the test's kind, raised by
/// telemetry the test plays (``AlertServiceTests``).
@Suite("twinhub console on a terminal", .enabled(if: TmuxConsole.isInstalled, "tmux is not on PATH"), .timeLimit(.minutes(1)))
struct ConsoleTerminalTests {
    /// The console's arguments for `broker`, with the built-in kinds.
    static func arguments(_ broker: MosquittoBroker) -> [String] {
        ["console", "--broker", broker.url, "--root", AlertServiceTests.topics.root, "--user", "trainer"]
    }

    /// Checks that the console left the terminal as it found it: main screen, cursor shown, settings restored.
    static func expectRestored(_ pane: TmuxConsole, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try !pane.isOnAlternateScreen, "back on the main screen", sourceLocation: sourceLocation)
        #expect(try pane.showsCursor, "the cursor is shown again", sourceLocation: sourceLocation)
        #expect(pane.settingsRestored, "stty -g after the console is what it was before (echo, canonical input)", sourceLocation: sourceLocation)
    }

    @Test("An alert shows unacknowledged (•); a, a comment and Enter acknowledge it as the user (✓); q quits cleanly")
    func acknowledgeAndQuit() async throws {
        try await MosquittoBroker.withBroker { broker in
            let observer = try await connectedClient(broker.url)
            let events = try await observer.subscribe(to: [AlertServiceTests.topics.alertEvents])
            try await AlertServiceTests.withService(broker) {
                var machine = try await AlertServiceTests.PlayedMachine(broker)
                try await machine.overheat()
                #expect(try await AlertServiceTests.nextEvent(events)["event"] as? String == "raised")

                let pane = try TmuxConsole(Self.arguments(broker))
                defer { pane.close() }
                let alertRow = { (screen: String) in
                    screen.split(separator: "\n").first { $0.contains(" cnc ") && $0.contains("Spindle at 97.4 °C, above 92 °C") }.map(String.init)
                }
                let shown = try await pane.awaitScreen("the alert, unacknowledged") { alertRow($0)?.contains("•") == true }
                #expect(try pane.isOnAlternateScreen, "full screen")
                #expect(alertRow(shown)?.contains("CRIT") == true, "\(shown)")
                #expect(shown.contains("Alerts · 1 open"))

                try pane.press("a")
                try await pane.awaitScreen("the comment prompt") { $0.contains("Acknowledge cnc spindle_overheat, comment") }
                try pane.type("coolant line unblocked")
                try pane.press("Enter")

                let acknowledged = try await AlertServiceTests.nextEvent(events)
                #expect(acknowledged["event"] as? String == "acknowledged")
                let acknowledgement = (acknowledged["alert"] as? [String: Any])?["acknowledgement"] as? [String: Any]
                #expect(acknowledgement?["by"] as? String == "trainer", "--user names the acknowledgement")
                #expect(acknowledgement?["comment"] as? String == "coolant line unblocked")

                let after = try await pane.awaitScreen("the alert, acknowledged") { alertRow($0)?.contains("✓") == true }
                #expect(alertRow(after)?.contains("•") == false)
                #expect(after.contains("cnc spindle_overheat acknowledged"), "the footer says the twin service took it: \(after)")

                try pane.press("q")
                #expect(try await pane.exitStatus() == 0)
                try Self.expectRestored(pane)
                await machine.client.disconnect()
            }
            await observer.disconnect()
        }
    }

    /// A crash is a signal that ends the process: the console restores the terminal in its handler, then the
    /// signal ends it as it would have (status 128 + N). SIGTERM cancels it: a clean exit.
    ///
    /// `SWIFT_BACKTRACE=enable=no`: on a terminal, Swift's backtracer waits 30 s for a key after printing, and a
    /// crash signal sent with kill(2) (not a fault) does not end the process once the backtracer has returned.
    @Test("A crash or SIGTERM ends the console with the terminal restored", arguments: [
        (SIGSEGV, 128 + SIGSEGV), (SIGABRT, 128 + SIGABRT), (SIGTERM, 0),
    ] as [(Int32, Int32)])
    func signalRestoresTerminal(signal: Int32, status: Int32) async throws {
        try await MosquittoBroker.withBroker { broker in
            let pane = try TmuxConsole(Self.arguments(broker), environment: ["SWIFT_BACKTRACE": "enable=no"])
            defer { pane.close() }
            try await pane.awaitScreen("the console, connected") { $0.contains("TwinHub") && $0.contains("connected") }
            #expect(try pane.isOnAlternateScreen)
            #expect(try !pane.showsCursor, "the console hides the cursor")

            kill(try await pane.consoleProcessID(), signal)
            #expect(try await pane.exitStatus() == status)
            try Self.expectRestored(pane)
        }
    }
}
