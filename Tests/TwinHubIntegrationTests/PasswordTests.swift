import Foundation
import Testing
import TwinHubBroker

/// A password that stays out of `ps` and the logs: from a file or `$TWINHUB_PASSWORD`, for the broker URL's user.
@Suite("Broker passwords out of the command line", .timeLimit(.minutes(1)))
struct PasswordTests {
    @Test("--password-file and TWINHUB_PASSWORD give the URL's user its password; a wrong one is refused; none is logged")
    func passwordSources() async throws {
        try await MosquittoBroker.withBroker(.init(users: ["ana": "s3cret-pw"])) { broker in
            let url = "mqtt://ana@127.0.0.1:\(broker.port)"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString.prefix(8))")
            try "s3cret-pw\n".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let fromFile = try ProcessRunner(["pub", "--broker", url, "--password-file", file.path, "-t", "t", "-m", "x", "-q", "1",
                                              "--log-level", "debug"])
            #expect(try await fromFile.exitStatus() == 0, "\(fromFile.stderr)")
            let fromVariable = try ProcessRunner(["pub", "--broker", url, "-t", "t", "-m", "x", "-q", "1", "--log-level", "debug"],
                                                 environment: ["TWINHUB_PASSWORD": "s3cret-pw"])
            #expect(try await fromVariable.exitStatus() == 0, "\(fromVariable.stderr)")
            let wrong = try ProcessRunner(["pub", "--broker", url, "-t", "t", "-m", "x", "-q", "1"], environment: ["TWINHUB_PASSWORD": "nope"])
            #expect(try await wrong.exitStatus() != 0)
            #expect(wrong.stderr.contains("notAuthorized") || wrong.stderr.contains("refused"), "\(wrong.stderr)")
            for run in [fromFile, fromVariable, wrong] {
                #expect(!run.stderr.contains("s3cret") && !run.stdout.contains("s3cret") && !run.stderr.contains("nope"), "\(run.stderr)")
            }
            let noUser = try ProcessRunner(["pub", "--broker", "mqtt://127.0.0.1:\(broker.port)", "-t", "t", "-m", "x"],
                                           environment: ["TWINHUB_PASSWORD": "s3cret-pw"])
            #expect(try await noUser.exitStatus() != 0)
            #expect(noUser.stderr.contains("a password needs a user"), "\(noUser.stderr)")
        }
    }
}
