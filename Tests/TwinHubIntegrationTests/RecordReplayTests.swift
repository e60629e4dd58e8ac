import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT

@Suite("twinhub record and replay", .timeLimit(.minutes(1)))
struct RecordReplayTests {
    @Test("A capture of one broker, replayed on another under a new root, publishes the same payloads (text and binary) with their QoS and retain flags; the retained ones are retained there")
    func recordAndReplay() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-capture-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let capture = folder.appendingPathComponent("line.capture").path
        try await MosquittoBroker.withBroker { source in
            let plant = try await connectedClient(source.url)
            try await plant.publish(to: "acme/line-1/cnc-01/state", string: #"{"state":"running"}"#, qos: .atLeastOnce, retain: true)
            let record = try ProcessRunner(["record", "--broker", source.url, "-t", "acme/#", "-t", "spBv1.0/#", "-o", capture, "-C", "4", "--log-level", "info"])
            try await record.awaitStderr(containing: "recording")
            try await plant.publish(to: "acme/line-1/cnc-01/telemetry", string: #"{"rpm":1200}"#, qos: .atLeastOnce)
            try await plant.publish(to: "spBv1.0/acme/DDATA/line-1/cnc-01", payload: [0x08, 0x01, 0xFF, 0x00], qos: .atMostOnce)
            try await plant.publish(to: "acme/line-1/cnc-01/alert/hot", string: #"{"severity":"major"}"#, qos: .exactlyOnce, retain: true)
            #expect(try await record.exitStatus() == 0, "\(record.stderr)")
            #expect(record.stderr.contains("4 messages"), "\(record.stderr)")
            await plant.disconnect()
        }
        try await MosquittoBroker.withBroker { target in
            var configuration = try ClientConfiguration(url: target.url, clientID: uniqueClientID())
            configuration.retainAsPublished = true
            let observer = try MQTTClient(configuration, logger: testLogger)
            try await observer.connect()
            let received = try await observer.subscribe(to: ["lab/#", "spBv1.0/#"], qos: .exactlyOnce)
            let replay = try ProcessRunner(["replay", capture, "--broker", target.url, "--remap", "acme=lab", "--remap", "spBv1.0/acme=spBv1.0/lab", "--speed", "0"])
            #expect(try await replay.exitStatus() == 0, "\(replay.stderr)")
            let messages = try await received.next(4, within: .seconds(20))
            #expect(messages.map(\.topic) == ["lab/line-1/cnc-01/state", "lab/line-1/cnc-01/telemetry", "spBv1.0/lab/DDATA/line-1/cnc-01", "lab/line-1/cnc-01/alert/hot"])
            #expect(messages.map(\.payload) == [Array(#"{"state":"running"}"#.utf8), Array(#"{"rpm":1200}"#.utf8), [0x08, 0x01, 0xFF, 0x00], Array(#"{"severity":"major"}"#.utf8)])
            #expect(messages.map(\.qos) == [.atLeastOnce, .atLeastOnce, .atMostOnce, .exactlyOnce])
            #expect(messages.map(\.retain) == [true, false, false, true], "the retained ones keep their flag")
            await observer.disconnect()

            let late = try await connectedClient(target.url)
            let retained = try await late.subscribe(to: ["lab/#"], qos: .atLeastOnce)
            #expect(Set(try await retained.next(2, within: .seconds(10)).map(\.topic)) == ["lab/line-1/cnc-01/state", "lab/line-1/cnc-01/alert/hot"])
            await late.disconnect()
        }
    }

    @Test("A capture with a bad line is refused before anything is published: the file, the line and why, status 64")
    func badCapture() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-bad-\(UUID().uuidString.prefix(8)).capture")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("""
            {"format":"twinhub-capture","version":1,"started":"2026-03-02T06:00:00.000Z"}
            {"t":0.5,"topic":"a/b","qos":1,"retain":false,"payload":"x"}
            {"t":0.6,"topic":"a/#","qos":1,"retain":false,"payload":"y"}

            """.utf8).write(to: file)
        let replay = try ProcessRunner(["replay", file.path, "--broker", "mqtt://127.0.0.1:1"])
        #expect(try await replay.exitStatus() == 64)
        #expect(replay.stderr.contains("\(file.path):3:") && replay.stderr.contains("wildcard"), "\(replay.stderr)")
        #expect(!replay.stderr.contains("Usage"), "a file error is not a usage error")
    }
}
