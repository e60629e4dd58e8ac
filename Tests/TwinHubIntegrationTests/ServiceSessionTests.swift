import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel

/// `twinhub serve` with a persistent session: a clean stop keeps its subscriptions at the broker, so what machines
/// send while it restarts is queued for it, not lost.
@Suite("The twin service's persistent session", .timeLimit(.minutes(1)))
struct ServiceSessionTests {
    @Test("After SIGTERM and a restart with the same --client-id and --session-expiry, telemetry sent meanwhile reaches the twin")
    func cleanStopKeepsTheSession() async throws {
        try await MosquittoBroker.withBroker { broker in
            let topics = try TopicMap(root: "persist")
            let machine = PlantPath(site: "s", area: "a", line: "l", machine: "m1")
            let arguments = ["serve", "--root", "persist", "--broker", broker.url, "--no-db", "--no-rules",
                             "--client-id", "persist-service", "--session-expiry", "300"]
            let first = try ProcessRunner(arguments)
            try await first.awaitStderr(containing: "serving persist/")
            first.kill(SIGTERM)
            #expect(try await first.exitStatus() == 0, "\(first.stderr)")

            // A message on each channel: a clean stop that unsubscribed would lose some (it unsubscribes filter by filter).
            let machineClient = try await connectedClient(broker.url)
            let start = Date(timeIntervalSince1970: 1_772_431_200)
            try await machineClient.publish(to: topics.topic(.status, for: machine), payload: JSONCodec.status(online: true, time: start, reason: "connected"),
                                            qos: .atLeastOnce)
            try await machineClient.publish(to: topics.topic(.state, for: machine),
                                            payload: JSONCodec.state(StateChange(time: start, sequence: 1, state: .running, previous: .idle, reason: "started")),
                                            qos: .atLeastOnce)
            try await machineClient.publish(to: topics.topic(.counters, for: machine),
                                            payload: JSONCodec.counters(ProductionCounters(time: start, sequence: 1, total: 5, good: 5, scrap: 0,
                                                                                           idealCycleTime: .seconds(20))),
                                            qos: .atLeastOnce)
            for sequence in 1...3 {
                let sample = TelemetrySample(time: Date(timeIntervalSince1970: 1_772_431_200 + Double(sequence)), sequence: UInt64(sequence),
                                             values: [.init(property: "flow", value: 40 + Double(sequence), unit: "l/min")])
                try await machineClient.publish(to: topics.topic(.telemetry, for: machine),
                                                payload: JSONCodec.telemetry(sample, machine: "m1", kind: "probe_pump"), qos: .atLeastOnce)
            }
            await machineClient.disconnect()

            let observer = try await connectedClient(broker.url)
            let twins = try await observer.subscribe(to: [topics.topic(.twin, for: machine)])
            let second = try ProcessRunner(arguments)
            try await second.awaitStderr(containing: "serving persist/")
            let decoder = ServiceMessageDecoder(topics: topics)
            let flow = try await within(.seconds(15), "the twin with the status, state, counters and telemetry sent while the service was stopped") { () -> Double in
                for await message in twins {
                    guard case .twin(let twin)? = try decoder.decode(topic: message.topic, payload: message.payload) else { continue }
                    if let value = twin.readings.first(where: { $0.name == "flow" })?.value, value == 43, twin.state == "running",
                       twin.connectivity == "online", twin.counters != nil {
                        return value
                    }
                }
                throw TimedOut(what: "twin snapshots ended")
            }
            #expect(flow == 43)
            second.kill(SIGTERM)
            #expect(try await second.exitStatus() == 0, "\(second.stderr)")
            await observer.disconnect()
        }
    }
}
