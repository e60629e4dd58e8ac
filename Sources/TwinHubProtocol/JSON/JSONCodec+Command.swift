import Foundation
import TwinModel

/// Commands to a machine (`…/{machine}/cmd`, QoS 1).
extension JSONCodec {
    /// The JSON of a command: `{"command":"inject_fault","fault":"coolant_loss","duration":600}` (seconds).
    public static func command(_ request: MachineCommandRequest) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("command", string: request.command.rawValue)
        if let fault = request.fault { writer.field("fault", string: fault) }
        if let duration = request.duration {
            writer.field("duration", number: duration.secondsValue)
        }
        if let value = request.value { writer.field("value", number: value) }
        writer.close()
        return writer.bytes
    }

    /// Reads a command. `duration` is seconds or text such as `"10m"`.
    /// - Throws: ``PayloadError`` saying what is wrong: not JSON, no command, unknown command, wrong type.
    public static func decodeCommand(_ bytes: [UInt8]) throws(PayloadError) -> MachineCommandRequest {
        let fields = try JSONFields.read(bytes, maximumSize: 4096, what: "a command")
        let name = try fields.string("command")
        guard let command = MachineCommand(rawValue: name) else {
            throw PayloadError(.invalidValue, "unknown command '\(name)'; commands: \(MachineCommand.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var request = MachineCommandRequest(command: command)
        request.fault = try fields.optionalString("fault")
        if let duration = fields["duration"] {
            let invalid = PayloadError(.invalidValue, "\"duration\" must be seconds (0 to 1e9) or text such as \"10m\"")
            switch duration {
            case .string(let text):
                guard let parsed = DurationText.parse(text) else { throw invalid }
                request.duration = parsed
            case .number(let seconds):
                guard let parsed = DurationText.duration(seconds: seconds) else { throw invalid }
                request.duration = parsed
            default:
                throw PayloadError(.wrongType, invalid.reason)
            }
        }
        if fields["value"] != nil { request.value = try fields.number("value") }
        return request
    }
}
