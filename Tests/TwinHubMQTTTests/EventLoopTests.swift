import Foundation
import Testing
@testable import TwinHubMQTT

@Suite("The MQTT event loop's thread")
struct EventLoopTests {
    @Test("The loop thread carries its name where the system shows it, cut to the 15 bytes the system keeps")
    func threadName() async throws {
        let loop = MQTTEventLoop(name: "twinhub-test-loop-name")
        #expect(loop.threadName == "twinhub-test-lo")
        let shown = await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            loop.execute {
                let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
                continuation.resume(returning: comm?.trimmingCharacters(in: .newlines))
            }
        }
        #expect(shown == "twinhub-test-lo")
    }

    @Test("A name is cut at a character's boundary, never inside one")
    func cutAtCharacters() {
        #expect(MQTTEventLoop.systemThreadName("machine-hall-äö") == "machine-hall-ä", "ä is 2 bytes: 13 + 2 fits, ö does not")
        #expect(MQTTEventLoop.systemThreadName("twinhub-mqtt") == "twinhub-mqtt")
        #expect(MQTTEventLoop.systemThreadName("日本語の名前のスレッド").utf8.count == 15)
    }
}
