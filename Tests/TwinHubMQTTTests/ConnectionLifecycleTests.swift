import Testing
@testable import TwinHubMQTT

@Suite("Connection lifecycle state machine")
struct ConnectionLifecycleTests {
    let refused = MQTTError(.connectFailed, "refused")
    let lost = MQTTError(.connectionLost, "lost")
    let badPassword = MQTTError(.notAuthorized, "bad password")

    func connectedMachine(reconnect: Bool = true) -> ConnectionLifecycle {
        var machine = ConnectionLifecycle(policy: .init(enabled: reconnect, initialDelay: .seconds(1), maximumDelay: .seconds(8), jitter: 0))
        #expect(machine.start() == .startAttempt)
        #expect(machine.connected(sessionPresent: false) == .resume(sessionPresent: false))
        return machine
    }

    @Test("A failed first attempt closes with its error instead of retrying")
    func firstAttemptFails() {
        var machine = ConnectionLifecycle(policy: .init())
        #expect(machine.state == .idle)
        #expect(machine.start() == .startAttempt)
        #expect(machine.state == .connecting)
        #expect(machine.start() == .none, "a second start joins the attempt")
        #expect(machine.failed(refused, random: 0.5) == .close(refused))
        #expect(machine.state == .closed(error: refused))
    }

    @Test("A policy that retries the first connection retries it as a lost one (no reconnect counted); a refusal of credentials still closes")
    func firstAttemptRetried() {
        var machine = ConnectionLifecycle(policy: .init(initialDelay: .seconds(1), jitter: 0, retriesFirstConnection: true))
        #expect(machine.start() == .startAttempt)
        #expect(machine.failed(refused, random: 0.5) == .scheduleRetry(delay: .seconds(1), generation: 1))
        #expect(machine.state == .reconnecting(attempt: 1, delay: .seconds(1), lastError: refused))
        #expect(machine.retryDue(generation: 1) == .startAttempt)
        #expect(machine.connected(sessionPresent: false) == .resume(sessionPresent: false))
        #expect(machine.reconnects == 0)
        var refusedForGood = ConnectionLifecycle(policy: .init(retriesFirstConnection: true))
        _ = refusedForGood.start()
        #expect(refusedForGood.failed(badPassword, random: 0.5) == .close(badPassword))
    }

    @Test("A lost connection is retried with growing delays until it is back")
    func reconnects() {
        var machine = connectedMachine()
        #expect(machine.failed(lost, random: 0.5) == .scheduleRetry(delay: .seconds(1), generation: 1))
        #expect(machine.state == .reconnecting(attempt: 1, delay: .seconds(1), lastError: lost))
        #expect(machine.retryDue(generation: 1) == .startAttempt)
        #expect(machine.failed(refused, random: 0.5) == .scheduleRetry(delay: .seconds(2), generation: 2))
        #expect(machine.retryDue(generation: 1) == .none, "a stale timer does nothing")
        #expect(machine.retryDue(generation: 2) == .startAttempt)
        #expect(machine.connected(sessionPresent: true) == .resume(sessionPresent: true))
        #expect(machine.reconnects == 1)
        #expect(machine.failed(lost, random: 0.5) == .scheduleRetry(delay: .seconds(1), generation: 3), "backoff restarts after a success")
        #expect(machine.reconnects == 2)
    }

    @Test("Refused credentials and disabled reconnection close the client")
    func permanentFailures() {
        var machine = connectedMachine()
        _ = machine.failed(lost, random: 0.5)
        _ = machine.retryDue(generation: 1)
        #expect(machine.failed(badPassword, random: 0.5) == .close(badPassword))

        var noReconnect = connectedMachine(reconnect: false)
        #expect(noReconnect.failed(lost, random: 0.5) == .close(lost))
    }

    @Test("A requested close wins and is final")
    func closeRequested() {
        var machine = connectedMachine()
        _ = machine.failed(lost, random: 0.5)
        #expect(machine.closeRequested() == .close(nil))
        #expect(machine.state == .closed(error: nil))
        #expect(machine.retryDue(generation: 1) == .none)
        #expect(machine.failed(lost, random: 0.5) == .none)
        #expect(machine.connected(sessionPresent: false) == .none)
        #expect(machine.closeRequested() == .none)
    }
}
