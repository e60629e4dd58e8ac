import FleetView
import Foundation
import RuleLanguage
import TwinHubProtocol
import TwinModel

extension WebAPI {
    /// `POST /alerts/{path}/{rule}/ack` with `{by, comment}` (the MQTT acknowledgement's own shape,
    /// `schemas/alert-ack.schema.json`): the acknowledgement to send. The twin service decides; its alert event
    /// tells the outcome.
    public func acknowledge(_ path: String, rule: String, body: [UInt8], in fleet: WebFleet) throws(APIProblem) -> FleetIntent {
        let machine = try Self.machinePath(path)
        let key = AlertKey(machine: machine, rule: rule)
        guard let alert = fleet.model.alerts[key] else {
            let rules = fleet.model.alerts.keys.filter { $0.machine == machine }.map(\.rule)
            throw .notFound("no open alert '\(rule)' on \(machine)\(Spelling.hint(for: rule, in: rules))")
        }
        guard !alert.isAcknowledged else {
            throw .conflict("alert \(key) is already acknowledged by \(alert.acknowledgement?.by ?? "someone")")
        }
        let request = try Self.decode(body, limit: maximumBody) { bytes throws(PayloadError) in try JSONCodec.decodeAcknowledgement(bytes) }
        return .acknowledge(key, request)
    }

    /// `POST /twins/{path}/commands` with a command (`schemas/cmd.schema.json`): checked against the machine's
    /// kind (its commands and faults), then sent.
    public func command(_ path: String, body: [UInt8], in fleet: WebFleet) throws(APIProblem) -> FleetIntent {
        let twin = try Self.knownMachine(path, in: fleet)
        let request = try Self.decode(body, limit: maximumBody) { bytes throws(PayloadError) in try JSONCodec.decodeCommand(bytes) }
        if let kind = kinds[twin.kind] {
            if let fault = request.fault, kind.fault(named: fault) == nil {
                let names = kind.faults.map(\.name)
                throw .badRequest("kind '\(kind.id)' has no fault '\(fault)'\(Spelling.hint(for: fault, in: names)) (known: \(names.joined(separator: ", ")))",
                                  at: "/fault")
            }
        }
        return .command(twin.key, request)
    }

    /// `PUT /twins/{path}/desired` with `{"state": …}` (`schemas/desired.schema.json`): the state the twin service
    /// is to bring the machine to.
    public func desire(_ path: String, body: [UInt8], in fleet: WebFleet) throws(APIProblem) -> FleetIntent {
        let twin = try Self.knownMachine(path, in: fleet)
        let state = try Self.decode(body, limit: maximumBody) { bytes throws(PayloadError) in try JSONCodec.decodeDesired(bytes) }
        return .desire(twin.key, state)
    }

    /// A body read with the protocol's own decoder; its error becomes a 400 saying where and why, a body too large 413.
    static func decode<Value>(_ body: [UInt8], limit: Int, _ read: ([UInt8]) throws(PayloadError) -> Value) throws(APIProblem) -> Value {
        guard body.count <= limit else { throw .tooLarge(limit: limit) }
        guard !body.isEmpty else { throw .badRequest("the body is empty; a JSON object is expected") }
        do {
            return try read(body)
        } catch {
            throw .badRequest("\(error.code.rawValue): \(error.reason)")
        }
    }
}
