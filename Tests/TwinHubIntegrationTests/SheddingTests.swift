import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT
import TwinHubProtocol
import TwinModel
import TwinService

@Suite("Shedding load", .timeLimit(.minutes(1)))
struct SheddingTests {
    @Test("Behind by more than its shedding depth, the service sheds machines' older telemetry, counts it, never sheds a state, and applies every machine's latest sample")
    func shedsStaleTelemetry() async throws {
        try await MosquittoBroker.withBroker { broker in
            var options = try TwinServiceTests.options(broker)
            options.sheddingDepth = 20
            let topics = options.topics
            let service = TwinService(options: options, logger: testLogger)
            let ready = FirstOutcome<Void>()
            let serving = Task { try await service.run { ready.resolve(.success(())) } }
            defer { serving.cancel() }
            try await within(.seconds(10), "the service to subscribe") { try await withCheckedThrowingContinuation { ready.install($0) } }

            let observer = try await connectedClient(broker.url)
            let metrics = try await observer.subscribe(to: [topics.serviceMetrics])
            let machines = ["m0", "m1", "m2"], samples = 1_000
            let start = Date(timeIntervalSince1970: 1_772_431_200)
            var requests: [PublishRequest] = []
            for index in 1...samples {
                for machine in machines {
                    let path = PlantPath(site: "site", area: "area", line: "line", machine: machine)
                    let sample = TelemetrySample(time: start.addingTimeInterval(Double(index)), sequence: UInt64(index),
                                                 values: [.init(property: "spindle_speed", value: Double(index), unit: "rpm")])
                    requests.append(try PublishRequest(topic: topics.topic(.telemetry, for: path),
                                                       payload: JSONCodec.telemetry(sample, machine: machine, kind: "cnc_machining_centre"), qos: .atLeastOnce))
                }
                if index == samples / 2 {
                    let change = StateChange(time: start.addingTimeInterval(Double(index)), sequence: 1, state: .held, previous: .running, reason: "test")
                    requests.append(try PublishRequest(topic: topics.topic(.state, for: PlantPath(site: "site", area: "area", line: "line", machine: "m0")),
                                                       payload: JSONCodec.state(change), qos: .atLeastOnce))
                }
            }
            let publisher = try await connectedClient(broker.url)
            try publisher.send(contentsOf: requests)
            let total = requests.count

            // Every message is applied or shed, none lost; some telemetry was shed.
            let figures = try await within(.seconds(40), "every message applied or shed") { () -> ServiceMetricsMessage in
                for await message in metrics {
                    guard let figures = try? JSONCodec.decodeMetrics(message.payload) else { continue }
                    if figures.messagesIn + figures.shed == total { return figures }
                }
                throw TimedOut(what: "the metrics ended")
            }
            #expect(figures.shed > 0, "3,001 messages at once against a depth of 20")
            #expect(figures.deadLetters == 0, "nothing shed or applied out of order")
            let store = service.store
            for machine in machines {
                let twin = try #require(store.twins[PlantPath(site: "site", area: "area", line: "line", machine: machine)])
                #expect(twin.reported["spindle_speed"]?.value == Double(samples), "\(machine)'s latest sample is applied")
            }
            #expect(store.twins[PlantPath(site: "site", area: "area", line: "line", machine: "m0")]?.state == .held, "a state is never shed")
            await publisher.disconnect()
            await observer.disconnect()
        }
    }
}
