import Foundation
import Testing
import TwinHubBroker
import TwinHubMQTT

@Suite("The private broker helper", .timeLimit(.minutes(1)))
struct BrokerHelperTests {
    struct Boom: Error {}

    @Test("withBroker kills the broker and removes its folder when the body throws")
    func cleansUpOnFailure() async throws {
        var pid: Int32?
        var folder: URL?
        await #expect(throws: Boom.self) {
            try await MosquittoBroker.withBroker { broker in
                pid = broker.processID
                folder = broker.directory
                #expect(FileManager.default.fileExists(atPath: broker.directory.path))
                throw Boom()
            }
        }
        let processID = try #require(pid)
        #expect(kill(processID, 0) != 0, "the broker process must be gone")
        #expect(!FileManager.default.fileExists(atPath: try #require(folder).path))
    }

    @Test("A killed broker restarts on the same port; the config enables what was asked")
    func killAndRestart() async throws {
        try await MosquittoBroker.withBroker(.init(users: ["u": "p"], acl: "user u\ntopic readwrite #\n")) { broker in
            let port = broker.port
            let firstPID = try #require(broker.processID)
            await broker.kill()
            #expect(!broker.isRunning)
            try await broker.restart()
            #expect(broker.port == port)
            #expect(try #require(broker.processID) != firstPID)
            let configuration = try String(contentsOf: broker.directory.appendingPathComponent("mosquitto.conf"), encoding: .utf8)
            #expect(configuration.contains("listener \(port) 127.0.0.1"))
            #expect(configuration.contains("allow_anonymous false"))
            #expect(configuration.contains("acl_file"))
            #expect(broker.log.contains("mosquitto version"))
        }
    }

    @Test("With persistence, retained messages and a persistent session's queued messages survive a restart; without, neither does",
          arguments: [true, false])
    func persistence(persistent: Bool) async throws {
        try await MosquittoBroker.withBroker(.init(persistence: persistent ? .init() : nil)) { broker in
            var configuration = try clientConfiguration(broker.url, clientID: uniqueClientID("away"))
            configuration.session = .persistent(expiry: .seconds(300))
            let away = try MQTTClient(testing: configuration)
            try await away.connect()
            let subscription = try await away.subscribe(to: ["kept/queued"], qos: .atLeastOnce)
            await away.disconnect()
            withExtendedLifetime(subscription) {}  // dropping a subscription unsubscribes: keep it until here

            let publisher = try await connectedClient(broker.url)
            try await publisher.publish(to: "kept/retained", string: "retained", qos: .atLeastOnce, retain: true)
            try await publisher.publish(to: "kept/queued", string: "queued", qos: .atLeastOnce)
            await publisher.disconnect()
            let saves = broker.savesBegun
            await broker.stop()  // a clean stop saves (an autosave of the messages above may begin before it, too)
            if persistent { #expect(broker.savesBegun >= saves + 1) } else { #expect(broker.savesBegun == 0) }
            try await broker.restart()

            let back = try MQTTClient(testing: configuration)
            let queued = try await back.subscribe(to: ["kept/queued"], qos: .atLeastOnce)
            try await back.connect()
            let later = try await connectedClient(broker.url)
            let marker = "kept/marker"
            let seen = try await later.subscribe(to: ["kept/retained", marker], qos: .atLeastOnce)
            try await later.publish(to: marker, string: "after", qos: .atLeastOnce)
            let first = try #require(try await seen.next().first)
            if persistent {
                #expect(back.state == .connected(sessionPresent: true))
                #expect(try await queued.next().first.map { String(decoding: $0.payload, as: UTF8.self) } == "queued")
                #expect(first.topic == "kept/retained" && first.retain)
            } else {
                #expect(back.state == .connected(sessionPresent: false))
                #expect(first.topic == marker, "no retained message came back")
            }
            await later.disconnect()
            await back.disconnect()
        }
    }
}
