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
}
