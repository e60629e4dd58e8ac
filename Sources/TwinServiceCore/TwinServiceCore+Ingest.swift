import Foundation
import Rules
import TwinModel
import Twins

extension TwinServiceCore {
    /// A machine's message: applied to its twin, the rules it concerns run; refusals logged (sparingly) and dead-lettered;
    /// a new desired state's command sent at once.
    mutating func ingest(_ message: MachineMessage, into actions: inout [Action]) {
        if let waited = message.waited { metrics.noteLag(waited) }
        let machine = message.machine
        let letters: [TwinStore.DeadLetter]
        var events: [AlertEvent] = []
        switch message.decoded {
        case .success(let decoded):
            let versionBefore = store.twins[machine]?.version
            letters = store.apply(decoded, address: machine, received: message.received)
            if let twin = store.twins[machine], twin.version != versionBefore {
                for trigger in RuleTrigger.triggers(for: decoded) { events += rules.evaluate(twin, trigger: trigger, wall: message.received) }
            }
        case .failure(let error):
            letters = store.refuse(decoding: error)
        }
        var command: MachineCommandRequest?
        if let twin = store.twins[machine] {
            pacing.noteChanged(machine, samples: message.channel == .telemetry)
            writes.noteChanged(machine)
            command = commands.noteChange(of: twin, channel: message.channel, now: message.received)
        }
        for letter in letters {
            if let count = refusals.note(letter.reason) {
                actions.append(.log(LogLine(level: .warning, message: "refused (\(letter.reason), #\(count)) on \(message.topic): \(letter.detail)")))
            }
        }
        emit(events, time: message.received, into: &actions)
        for letter in letters {
            actions.append(.publish(.deadLetter(DeadLetter(topic: message.topic, reason: letter.reason, detail: letter.detail,
                                                           payload: message.payload, time: message.received))))
        }
        if let command { send(command, to: machine, into: &actions) }
    }

    /// A message refused before any machine's decoder: counted, logged sparingly, dead-lettered.
    mutating func refuse(_ message: RefusedMessage, into actions: inout [Action]) {
        for letter in store.refuse(reason: message.reason, detail: message.detail) {
            if let count = refusals.note(letter.reason) {
                actions.append(.log(LogLine(level: .warning, message: "refused (\(letter.reason), #\(count)) on \(message.topic): \(letter.detail)")))
            }
            actions.append(.publish(.deadLetter(DeadLetter(topic: message.topic, reason: letter.reason, detail: letter.detail,
                                                           payload: message.payload, time: message.received))))
        }
    }

    /// An acknowledgement: applied to the alert, or refused (counted, logged, dead-lettered) when it cannot be taken
    /// (a bad payload, an unknown alert, one already acknowledged).
    mutating func acknowledge(_ message: AcknowledgementMessage, into actions: inout [Action]) {
        let target = message.alert
        let refusal: (reason: String, detail: String)
        switch message.decoded {
        case .failure(let error):
            refusal = (error.code.rawValue, error.reason)
        case .success(let acknowledgement):
            do {
                let events = try apply(acknowledgement, to: target, received: message.received)
                metrics.acknowledged += 1
                writes.noteChanged(target.machine)
                actions.append(.log(LogLine(level: .info, message: "alert \(target) acknowledged")))
                emit(events, time: message.received, into: &actions)
                return
            } catch {
                refusal = (error.code.rawValue, error.reason)
            }
        }
        metrics.acknowledgementsRefused += 1
        actions.append(.log(LogLine(level: .warning, message: "acknowledgement on \(message.topic) refused (\(refusal.reason)): \(refusal.detail)")))
        actions.append(.publish(.deadLetter(DeadLetter(topic: message.topic, reason: refusal.reason, detail: refusal.detail,
                                                       payload: message.payload, time: message.received))))
    }

    private mutating func apply(_ acknowledgement: AcknowledgementRequest, to target: AlertKey,
                                received: Date) throws(AlertError) -> [AlertEvent] {
        guard let twin = store.twins[target.machine] else { throw AlertError(.unknownAlert, "no open alert \(target)") }
        // On the machine's clock, like every other time of the alert.
        let time = twin.kpi.accountedTime ?? twin.machineTime ?? received
        return try rules.acknowledge(twin, rule: target.rule, by: acknowledgement.by, comment: acknowledgement.comment, at: time)
    }

    /// Sends `command` to the machine at `address`.
    mutating func send(_ command: MachineCommandRequest, to address: PlantPath, into actions: inout [Action]) {
        actions.append(.log(LogLine(level: .info, message: "sending \(command.command.rawValue) to \(address) for its desired state")))
        actions.append(.publish(.command(address, command)))
    }
}
