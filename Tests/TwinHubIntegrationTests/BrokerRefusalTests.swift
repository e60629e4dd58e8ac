import Foundation
import Testing
import TwinHubBroker

/// The simulator against a broker whose ACL refuses some of its publishes: counted by channel, warned about once,
/// and a run whose every state change is refused fails.
@Suite("Publishes a broker refuses", .timeLimit(.minutes(1)))
struct BrokerRefusalTests {
    @Test("An ACL that refuses state and counters: one warning per channel, the counts in the summary, and exit 64")
    func aclRefusals() async throws {
        let acl = """
            user sim
            topic write acl/+/+/+/+/telemetry
            topic write acl/+/+/+/+/status
            topic read acl/+/+/+/+/cmd
            """
        try await MosquittoBroker.withBroker(.init(users: ["sim": "pw"], acl: acl)) { broker in
            let sim = try ProcessRunner(["sim", "sheet_metal_job_shop", "--root", "acl", "--broker", "mqtt://sim@127.0.0.1:\(broker.port)",
                                         "--speed", "600", "--duration", "30m"], environment: ["TWINHUB_PASSWORD": "pw"])
            #expect(try await sim.exitStatus() == 64, "\(sim.stdout)\(sim.stderr)")
            let warnings = sim.stderr.components(separatedBy: "the broker refuses this fleet's state publishes").count - 1
            #expect(warnings == 1, "one warning for the channel, not one per message: \(sim.stderr)")
            #expect(sim.stderr.contains("the broker refuses this fleet's counters publishes"), "\(sim.stderr)")
            #expect(sim.stdout.contains("publishes refused by the broker: counters "), "\(sim.stdout)")
            #expect(sim.stdout.contains(", state "), "\(sim.stdout)")
            #expect(!sim.stdout.contains("status "), "status publishes are allowed: \(sim.stdout)")
            #expect(sim.stderr.contains("Error: the broker refused every state change this fleet sent"), "\(sim.stderr)")
        }
    }
}
