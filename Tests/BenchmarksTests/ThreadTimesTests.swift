import Foundation
import Testing
@testable import Benchmarks
import TwinHubMQTT

@Suite("Thread CPU times from /proc")
struct ThreadTimesTests {
    @Test("A stat line gives its thread's name (spaces and parentheses in it too) and utime + stime")
    func parse() throws {
        let line = "4242 (odd (name) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 3 0 123 4096 10 0"
        let parsed = try #require(ProcessFigures.statLine(line))
        #expect(parsed.name == "odd (name) x")
        #expect(parsed.ticks == 287)
        #expect(ProcessFigures.statLine("4242 (cut short) S 1 2") == nil)
        #expect(ProcessFigures.statLine("no name at all") == nil)
    }

    @Test("This process's threads are found by name, and a busy one's time grows")
    func ownThreads() async throws {
        let loop = MQTTEventLoop(name: "times-test")
        let (before, after) = await withCheckedContinuation { (continuation: CheckedContinuation<(Double, Double), Never>) in
            loop.execute {
                let before = ThreadTimes.of()["times-test"]
                // Spins until the thread's own clock shows 50 ms more: /proc has counted several ticks by then.
                var start = timespec(), now = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
                repeat { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) }
                while (now.tv_sec - start.tv_sec) * 1_000_000_000 + (now.tv_nsec - start.tv_nsec) < 50_000_000
                continuation.resume(returning: (before, ThreadTimes.of()["times-test"]))
            }
        }
        #expect(after > before)
        #expect(ThreadTimes.of()["no thread has this name"] == 0)
    }
}
