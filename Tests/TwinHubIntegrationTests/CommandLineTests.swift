import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT

@Suite("The twinhub executable", .timeLimit(.minutes(1)))
struct CommandLineTests {
    @Test("--version and --help answer without a broker")
    func versionAndHelp() async throws {
        let version = try ProcessRunner(["--version"])
        #expect(try await version.exitStatus() == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try ProcessRunner(["--help"])
        #expect(try await help.exitStatus() == 0)
        #expect(help.stdout.contains("pub"))
        #expect(help.stdout.contains("sub"))
    }

    @Test("twinhub pub and twinhub sub make a round trip; sub prints NDJSON")
    func pubSubRoundTrip() async throws {
        try await MosquittoBroker.withBroker { broker in
            let sub = try ProcessRunner(["sub", "--broker", broker.url, "-t", "cli/#", "-q", "1", "--json", "-C", "3", "-W", "20", "--log-level", "info"])
            try await sub.awaitStderr(containing: "subscribed")
            let single = try ProcessRunner(["pub", "--broker", broker.url, "-t", "cli/one", "-m", "{\"rpm\":1}", "-q", "1", "--content-type", "application/json"])
            #expect(try await single.exitStatus() == 0, "\(single.stderr)")
            let lines = try ProcessRunner(["pub", "--broker", broker.url, "-t", "cli/lines", "-l", "-q", "2"], stdin: "first\nsecond\n")
            #expect(try await lines.exitStatus() == 0, "\(lines.stderr)")

            #expect(try await sub.exitStatus() == 0, "\(sub.stderr)")
            let printed = sub.stdout.split(separator: "\n").map(String.init)
            #expect(printed == [
                #"{"payload":"{\"rpm\":1}","properties":{"content_type":"application/json"},"qos":1,"retain":false,"topic":"cli/one"}"#,
                #"{"payload":"first","qos":1,"retain":false,"topic":"cli/lines"}"#,
                #"{"payload":"second","qos":1,"retain":false,"topic":"cli/lines"}"#,
            ])
        }
    }

    @Test("A twinhub process killed with SIGKILL leaves its last will; Ctrl-C disconnects cleanly")
    func killedProcessLastWill() async throws {
        try await MosquittoBroker.withBroker { broker in
            let watcher = try await connectedClient(broker.url)
            let wills = try await watcher.subscribe(to: ["wills/#"])
            func subscriber(_ name: String) async throws -> ProcessRunner {
                let process = try ProcessRunner(["sub", "--broker", broker.url, "-t", "nothing", "--log-level", "info",
                                                 "--will-topic", "wills/\(name)", "--will-payload", "\(name) died"])
                try await process.awaitStderr(containing: "subscribed")
                return process
            }
            let interrupted = try await subscriber("interrupted")
            interrupted.kill(SIGINT)
            #expect(try await interrupted.exitStatus() == 0, "Ctrl-C is a clean exit: \(interrupted.stderr)")

            let killed = try await subscriber("killed")
            killed.kill(SIGKILL)
            let received = try await wills.next()
            #expect(received.map(\.topic) == ["wills/killed"], "only the killed process leaves a will")
            #expect(received.first?.payloadString == "killed died")
            await watcher.disconnect()
        }
    }

    @Test("Bad input exits non-zero with the reason", arguments: [
        (["pub", "--broker", "http://x", "-t", "a", "-m", "b"], "unknown scheme 'http'"),
        (["pub", "-t", "a/#", "-m", "b"], "wildcard '#'"),
        (["pub", "-t", "a"], "exactly one of --message"),
        (["sub", "-t", "a/#/b"], "'#' must be a whole level"),
        (["pub", "--broker", "mqtt://127.0.0.1:1", "-t", "a", "-m", "b"], "Connection refused"),
    ])
    func badInput(arguments: [String], message: String) async throws {
        let process = try ProcessRunner(arguments)
        #expect(try await process.exitStatus() != 0)
        #expect(process.stderr.contains(message), "\(process.stderr)")
    }
}
