import Foundation
import Testing
import TwinHubBroker

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
}
