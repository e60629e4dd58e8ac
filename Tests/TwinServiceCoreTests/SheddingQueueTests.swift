import Testing
import TwinServiceCore

@Suite("Shedding queue")
struct SheddingQueueTests {
    @Test("Below its depth nothing is shed and order is kept")
    func noShedding() {
        var queue = SheddingQueue<String>(sheddingDepth: 10)
        for index in 0..<5 { queue.append("t\(index)", key: "m/telemetry") }
        #expect(queue.count == 5)
        #expect((0..<5).map { _ in queue.popFirst() } == ["t0", "t1", "t2", "t3", "t4"])
        #expect(queue.popFirst() == nil)
        #expect(queue.shed == 0)
    }

    @Test("Past its depth a machine's new telemetry replaces its older one; other messages and machines keep their place")
    func shedsOldestTelemetryOfAMachine() {
        var queue = SheddingQueue<String>(sheddingDepth: 3)
        queue.append("status", key: nil)  // keys are kept from half the depth on
        queue.append("a1", key: "a")
        queue.append("state", key: nil)
        queue.append("b1", key: "b")
        queue.append("a2", key: "a")      // 3 wait: a1 is shed
        queue.append("counters", key: nil)
        queue.append("b2", key: "b")      // b1 is shed
        queue.append("a3", key: "a")      // a2 is shed
        #expect(queue.shed == 3)
        #expect(queue.count == 5)
        var order: [String] = []
        while let next = queue.popFirst() { order.append(next) }
        #expect(order == ["status", "state", "counters", "b2", "a3"])
    }

    @Test("Without a depth nothing is ever shed")
    func never() {
        var queue = SheddingQueue<Int>(sheddingDepth: nil)
        for index in 0..<10_000 { queue.append(index, key: "same") }
        #expect(queue.shed == 0 && queue.count == 10_000)
        #expect(queue.popFirst() == 0)
    }

    @Test("A long run keeps its order and its count, and holds at most one telemetry per machine past its depth")
    func longRun() {
        var queue = SheddingQueue<(machine: Int, sample: Int)>(sheddingDepth: 100)
        var taken: [Int: Int] = [:]
        var appended = 0, popped = 0
        for round in 0..<500 {
            for machine in 0..<50 {
                queue.append((machine, round), key: "m\(machine)")
                appended += 1
            }
            // The consumer takes less than comes: the queue would grow without shedding.
            for _ in 0..<20 {
                guard let next = queue.popFirst() else { break }
                popped += 1
                #expect(next.sample > taken[next.machine, default: -1], "a machine's samples come in order")
                taken[next.machine] = next.sample
            }
            #expect(queue.count <= 100 + 50)
        }
        while let next = queue.popFirst() {
            popped += 1
            taken[next.machine] = next.sample
        }
        #expect(popped + queue.shed == appended)
        #expect(taken.values.allSatisfy { $0 == 499 }, "every machine's latest sample comes through")
    }
}
