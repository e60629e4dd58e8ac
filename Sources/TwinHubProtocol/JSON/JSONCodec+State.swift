import Foundation
import TwinModel

/// State (`…/{machine}/state`, QoS 1, retained): the operational state and why it changed.
extension JSONCodec {
    /// `{"ts":…,"seq":…,"state":…,"previous":…,"reason":…}`
    public static func state(_ change: StateChange) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("ts", timestamp: change.time)
        writer.field("seq", integer: Int(change.sequence))
        writer.field("state", string: change.state.rawValue)
        writer.field("previous", string: change.previous.rawValue)
        writer.field("reason", string: change.reason)
        writer.close()
        return writer.bytes
    }

    /// Reads a state payload (the shape ``state(_:)`` writes).
    public static func decodeState(_ bytes: [UInt8], maximumSize: Int = JSONFields.defaultMaximumSize) throws(PayloadError) -> StateChange {
        let fields = try JSONFields.read(bytes, maximumSize: maximumSize, what: "a state")
        func state(_ key: String) throws(PayloadError) -> MachineState {
            let text = try fields.string(key)
            guard let state = MachineState(rawValue: text) else { throw PayloadError(.invalidValue, "\"\(key)\" '\(text)' is not a machine state") }
            return state
        }
        return StateChange(time: try fields.timestamp("ts"), sequence: try fields.sequence("seq", minimum: 0), state: try state("state"),
                           previous: try state("previous"), reason: try fields.optionalString("reason") ?? "")
    }
}
