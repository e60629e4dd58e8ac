import Foundation
import Synchronization
import Testing
@testable import TwinHubMQTT

/// The buffer between the loop thread and a subscription's consumer, without a broker: this test plays the loop thread.
@Suite("Subscription sink", .timeLimit(.minutes(1)))
struct SubscriptionSinkTests {
    static func message(_ index: Int) -> MQTTMessage {
        MQTTMessage(topic: "plant/m\(index)/telemetry", payload: Array("\(index)".utf8))
    }

    static func payloads(_ messages: [MQTTMessage?]) -> [String?] {
        messages.map { $0.map { String(decoding: $0.payload, as: UTF8.self) } }
    }

    /// Whoever comes first, a value or the time limit, resumes the test.
    final class Waiter<T: Sendable>: Sendable {
        let continuation = Mutex<CheckedContinuation<T?, Never>?>(nil)
        func take() -> CheckedContinuation<T?, Never>? { continuation.withLock { $0.take() } }
    }

    /// Counts the calls of a closure; for an unsubscribe, whether each was to be at the broker too.
    final class Calls: Sendable {
        let count = Atomic(0)
        let atBroker = Mutex<[Bool]>([])
        var action: @Sendable () -> Void { { self.count.add(1, ordering: .relaxed) } }
        var unsubscribe: @Sendable (Bool) -> Void {
            { atBroker in
                self.count.add(1, ordering: .relaxed)
                self.atBroker.withLock { $0.append(atBroker) }
            }
        }
    }

    @Test("Messages come out in order, across batches taken while more arrive")
    func order() async {
        let sink = SubscriptionSink()
        for index in 1...3 { #expect(sink.push(Self.message(index)) == .buffered) }
        var received = [await sink.next()]
        for index in 4...5 { _ = sink.push(Self.message(index)) }
        for _ in 1...4 { received.append(await sink.next()) }
        #expect(Self.payloads(received) == ["1", "2", "3", "4", "5"])
        #expect(sink.buffered.load(ordering: .relaxed) == 0)
    }

    @Test("A full buffer drops its oldest waiting message for the newest, and says so")
    func dropOldest() async {
        let sink = SubscriptionSink(capacity: 3)
        let results = (1...5).map { sink.push(Self.message($0)) }
        #expect(results == [.buffered, .buffered, .buffered, .droppedOldest, .droppedOldest])
        sink.finish()
        var received: [MQTTMessage?] = []
        while let message = await sink.next() { received.append(message) }
        #expect(Self.payloads(received) == ["3", "4", "5"])
    }

    @Test("The capacity counts what the consumer has taken in its batch too, and that is dropped first, being older")
    func dropOldestFromTheBatch() async {
        let sink = SubscriptionSink(capacity: 3)
        for index in 1...3 { _ = sink.push(Self.message(index)) }
        var received = [await sink.next()]  // takes 1, 2 and 3 into its batch and hands out 1
        #expect(sink.push(Self.message(4)) == .buffered)  // 2, 3, 4
        #expect(sink.push(Self.message(5)) == .droppedOldest)  // drops 2, from the batch
        #expect(sink.push(Self.message(6)) == .droppedOldest)  // drops 3, from the batch
        #expect(sink.push(Self.message(7)) == .droppedOldest)  // drops 4, waiting
        sink.finish()
        while let message = await sink.next() { received.append(message) }
        #expect(Self.payloads(received) == ["1", "5", "6", "7"])
    }

    @Test("A sink that pauses reading keeps everything, is full at its capacity, and reports the consumer caught up at half")
    func pauseReading() async {
        let caughtUp = Calls()
        let sink = SubscriptionSink(pausesReading: true, capacity: 4, caughtUp: caughtUp.action)
        for index in 1...6 { #expect(sink.push(Self.message(index)) == .buffered) }
        #expect(sink.isFull)
        var received: [MQTTMessage?] = []
        for _ in 1...3 { received.append(await sink.next()) }
        #expect(caughtUp.count.load(ordering: .relaxed) == 0)  // 3 left
        received.append(await sink.next())
        #expect(caughtUp.count.load(ordering: .relaxed) == 1)  // 2 left: half the capacity
        #expect(!sink.isFull)
        for _ in 1...2 { received.append(await sink.next()) }
        #expect(Self.payloads(received) == ["1", "2", "3", "4", "5", "6"])
        #expect(caughtUp.count.load(ordering: .relaxed) == 1)
    }

    @Test("A parked consumer is woken at the end of the burst, or early once the burst reaches the threshold")
    func wakes() async {
        let sink = SubscriptionSink(capacity: 10)
        #expect(sink.wakeThreshold == 5)
        let consumer = Task { await sink.next() }
        await waitUntilParked(sink)
        _ = sink.push(Self.message(1))
        #expect(sink.hasParkedConsumer, "below the threshold, a push alone does not wake the consumer")
        sink.wakeConsumer()
        #expect(Self.payloads([await value(of: consumer) ?? nil]) == ["1"])

        let second = Task { await sink.next() }
        await waitUntilParked(sink)
        for index in 2...5 { _ = sink.push(Self.message(index)) }
        #expect(sink.hasParkedConsumer)
        _ = sink.push(Self.message(6))  // the fifth waiting wakes it without wakeConsumer()
        #expect(Self.payloads([await value(of: second) ?? nil]) == ["2"])
    }

    @Test("Finishing hands out what waits, then ends; a parked consumer ends at once")
    func finish() async {
        let sink = SubscriptionSink()
        _ = sink.push(Self.message(1))
        sink.finish()
        #expect(sink.push(Self.message(2)) == .ended)
        #expect(Self.payloads([await sink.next(), await sink.next()]) == ["1", nil])

        let empty = SubscriptionSink()
        let consumer = Task { await empty.next() }
        await waitUntilParked(empty)
        empty.finish()
        #expect(await value(of: consumer) == .some(nil))
    }

    @Test("Cancelling the consuming task ends the subscription and unsubscribes once; so does dropping it")
    func cancellation() async {
        let unsubscribed = Calls()
        let sink = SubscriptionSink(unsubscribe: unsubscribed.unsubscribe)
        let consumer = Task { await sink.next() }
        await waitUntilParked(sink)
        consumer.cancel()
        #expect(await value(of: consumer) == .some(nil))
        #expect(sink.push(Self.message(1)) == .ended)
        sink.terminate()
        #expect(unsubscribed.count.load(ordering: .relaxed) == 1)

        let dropped = Calls()
        do {
            let subscription = MQTTSubscription(filters: ["plant/#"], sink: SubscriptionSink(unsubscribe: dropped.unsubscribe))
            #expect(subscription.droppedCount == 0)
        }
        #expect(dropped.count.load(ordering: .relaxed) == 1)
    }

    @Test("A subscription kept at the broker ends at the client alone when its task is cancelled or it is dropped; cancel() still unsubscribes")
    func keptAtBroker() async {
        let unsubscribed = Calls()
        let sink = SubscriptionSink(unsubscribe: unsubscribed.unsubscribe)
        let kept = MQTTSubscription(filters: ["plant/#"], sink: sink)
        kept.keepAtBrokerWhenEnded()
        let consumer = Task { await sink.next() }
        await waitUntilParked(sink)
        consumer.cancel()
        #expect(await value(of: consumer) == .some(nil))
        withExtendedLifetime(kept) {}
        #expect(unsubscribed.atBroker.withLock { $0 } == [false])

        let dropped = Calls()
        do {
            let subscription = MQTTSubscription(filters: ["plant/#"], sink: SubscriptionSink(unsubscribe: dropped.unsubscribe))
            subscription.keepAtBrokerWhenEnded()
        }
        #expect(dropped.atBroker.withLock { $0 } == [false])

        let cancelled = Calls()
        let subscription = MQTTSubscription(filters: ["plant/#"], sink: SubscriptionSink(unsubscribe: cancelled.unsubscribe))
        subscription.keepAtBrokerWhenEnded()
        subscription.cancel()
        #expect(cancelled.atBroker.withLock { $0 }.first == true, "an explicit cancel means: no more of these")
        #expect(unsubscribed.count.load(ordering: .relaxed) == 1)
    }

    @Test("A consumer whose task is cancelled gets what was buffered, then the end; nothing more is taken in")
    func cancelledConsumerDrains() async {
        let unsubscribed = Calls()
        let sink = SubscriptionSink(unsubscribe: unsubscribed.unsubscribe)
        for index in 1...3 { _ = sink.push(Self.message(index)) }
        let consumer = Task {
            var received = [await sink.next()]  // takes 1, 2, 3 into its batch
            _ = sink.push(Self.message(4))  // waits
            withUnsafeCurrentTask { $0?.cancel() }
            while let message = await sink.next() { received.append(message) }
            return received
        }
        #expect(Self.payloads(await value(of: consumer) ?? []) == ["1", "2", "3", "4"])
        #expect(sink.push(Self.message(5)) == .ended)
        #expect(unsubscribed.count.load(ordering: .relaxed) == 1)
    }

    @Test("A thread pushing in bursts while a task consumes: every message, in order, with wakes at the ends of bursts")
    func concurrentBursts() async {
        let sink = SubscriptionSink(pausesReading: true, capacity: 100_000)
        let total = 100_000
        let producer = Thread {
            var sent = 0
            while sent < total {
                let burst = min(1 + sent % 37, total - sent)
                for offset in 0..<burst { _ = sink.push(Self.message(sent + offset)) }
                sent += burst
                sink.wakeConsumer()
            }
            sink.finish()
        }
        producer.start()
        var expected = 0, inOrder = true
        while let message = await sink.next() {
            inOrder = inOrder && message.payload == Array("\(expected)".utf8)
            expected += 1
        }
        #expect(expected == total)
        #expect(inOrder)
        #expect(sink.buffered.load(ordering: .relaxed) == 0)
    }

    @Test("A drop-oldest sink of capacity 1 or 2 fed by a thread: what arrives and what is dropped add up, in order",
          arguments: [1, 2])
    func concurrentDrops(capacity: Int) async {
        let sink = SubscriptionSink(capacity: capacity)
        let total = 50_000
        let dropped = Atomic(0)
        let producer = Thread {
            for index in 0..<total {
                if sink.push(Self.message(index)) == .droppedOldest { dropped.add(1, ordering: .relaxed) }
                if index % 7 == 0 { sink.wakeConsumer() }
            }
            sink.finish()
        }
        producer.start()
        var received = 0, last = -1, increasing = true
        while let message = await sink.next() {
            let index = Int(String(decoding: message.payload, as: UTF8.self))!
            increasing = increasing && index > last
            last = index
            received += 1
        }
        #expect(received + dropped.load(ordering: .relaxed) == total)
        #expect(increasing)
        #expect(last == total - 1, "the newest is never the one dropped")
    }

    @Test("cancel() unsubscribes but leaves the iteration to the client's finish, so buffered messages still come")
    func cancelKeepsBuffered() async {
        let unsubscribed = Calls()
        let subscription = MQTTSubscription(filters: ["plant/#"], sink: SubscriptionSink(unsubscribe: unsubscribed.unsubscribe))
        _ = subscription.sink.push(Self.message(1))
        subscription.cancel()
        #expect(unsubscribed.count.load(ordering: .relaxed) == 1)
        subscription.sink.finish()  // what the client does once it has unsubscribed
        var iterator = subscription.makeAsyncIterator()
        #expect(Self.payloads([await iterator.next(), await iterator.next()]) == ["1", nil])
    }

    /// Waits until a consumer task has parked in `sink`: the event the tests above need before pushing. A consumer that
    /// never parks is a failure, not a hang.
    private func waitUntilParked(_ sink: SubscriptionSink, within limit: Duration = .seconds(10)) async {
        let deadline = ContinuousClock.now + limit
        while !sink.hasParkedConsumer {
            guard ContinuousClock.now < deadline else {
                Issue.record("the consumer did not park within \(limit)")
                return
            }
            await Task.yield()
        }
    }

    /// The value of `task`, or `nil` and a recorded issue if it has none within `limit` (a consumer never woken): the
    /// task is then cancelled and left behind, so the test fails instead of hanging.
    private func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration = .seconds(10)) async -> T? {
        let waiter = Waiter<T>()
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            waiter.continuation.withLock { $0 = continuation }
            Task { let value = await task.value; waiter.take()?.resume(returning: value) }
            Task {
                try? await Task.sleep(for: limit)
                guard let continuation = waiter.take() else { return }
                task.cancel()
                continuation.resume(returning: nil)
            }
        }
        if result == nil { Issue.record("the consumer had no value within \(limit)") }
        return result
    }
}
