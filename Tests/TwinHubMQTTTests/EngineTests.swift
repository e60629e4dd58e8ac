import Testing
@testable import TwinHubMQTT

@Suite("Backoff, bounded queue and subscription table")
struct EngineTests {
    let policy = ClientConfiguration.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(5), multiplier: 2, jitter: 0.2)

    @Test("Backoff doubles from the initial delay up to the maximum")
    func backoffGrowth() {
        let backoff = ReconnectBackoff(policy: policy)
        let milliseconds = (1...8).map { (backoff.delay(attempt: $0, random: 0.5).seconds * 1000).rounded() }  // 0.5 = no jitter
        #expect(milliseconds == [100, 200, 400, 800, 1600, 3200, 5000, 5000])
    }

    @Test("Jitter spreads the delay by the configured fraction, never past the maximum")
    func backoffJitter() {
        let backoff = ReconnectBackoff(policy: policy)
        #expect(abs((backoff.delay(attempt: 1, random: 0) - .milliseconds(80)).seconds) < 1e-9)
        #expect(abs((backoff.delay(attempt: 1, random: 0.999_999) - .milliseconds(120)).seconds) < 1e-6)
        #expect(backoff.delay(attempt: 20, random: 0.999_999) == .seconds(5))
        #expect(backoff.delay(attempt: 10_000, random: 0.5) == .seconds(5))
    }

    @Test("A full queue drops the oldest element, or refuses the newest")
    func boundedQueue() {
        var oldest = BoundedQueue<Int>(capacity: 3, policy: .dropOldest)
        #expect([1, 2, 3].compactMap { oldest.append($0) }.isEmpty)
        #expect(oldest.append(4) == 1)
        #expect(oldest.removeAll() == [2, 3, 4])
        #expect(oldest.isEmpty)

        var newest = BoundedQueue<Int>(capacity: 2, policy: .dropNewest)
        _ = newest.append(1)
        _ = newest.append(2)
        #expect(newest.append(3) == 3)
        #expect(newest.popFirst() == 1)
        #expect(newest.append(4) == nil)
        #expect(newest.removeAll() == [2, 4])
    }

    @Test("Shared filters are subscribed once, upgraded in QoS, and released with their last holder")
    func subscriptionTable() {
        var table = SubscriptionTable()
        let first = table.add(holder: 1, filters: ["a/#", "b"], qos: .atMostOnce)
        #expect(first.map(\.filter) == ["a/#", "b"])
        #expect(first.map(\.identifier) == [1, 2])
        #expect(table.add(holder: 2, filters: ["a/#"], qos: .atMostOnce).isEmpty, "same filter, same QoS: nothing to send")
        let upgrade = table.add(holder: 3, filters: ["a/#"], qos: .exactlyOnce)
        #expect(upgrade.map(\.qos) == [.exactlyOnce])
        #expect(upgrade.first?.identifier == 1, "an upgrade keeps the identifier")

        #expect(table.remove(holder: 1) == ["b"])
        #expect(table.remove(holder: 2).isEmpty)
        #expect(table.remove(holder: 3) == ["a/#"])
        #expect(table.all.isEmpty)
        #expect(table.remove(holder: 42).isEmpty)
    }

    @Test("Messages route by subscription identifier, or by matching without one")
    func routing() {
        var table = SubscriptionTable()
        _ = table.add(holder: 1, filters: ["plant/#"], qos: .atLeastOnce)        // identifier 1
        _ = table.add(holder: 2, filters: ["plant/+/state"], qos: .atLeastOnce)  // identifier 2
        _ = table.add(holder: 3, filters: ["$share/g/plant/#"], qos: .atLeastOnce)
        #expect(table.holders(forTopic: "plant/m1/state", identifiers: [2]) == [2])
        #expect(table.holders(forTopic: "plant/m1/state", identifiers: [1]) == [1])
        #expect(table.holders(forTopic: "plant/m1/state", identifiers: []) == [1, 2, 3])
        #expect(table.holders(forTopic: "other", identifiers: []).isEmpty)
        #expect(table.holders(forTopic: "plant/x", identifiers: [999]) == [1, 3], "unknown identifiers fall back to matching")
    }
}
