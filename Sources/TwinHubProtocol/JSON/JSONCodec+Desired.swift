import Foundation
import TwinModel

/// A desired state for the twin service to bring about (`…/{machine}/desired`, QoS 1).
extension JSONCodec {
    /// `{"state":"stopped"}`
    public static func desired(_ state: MachineState) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("state", string: state.rawValue)
        writer.close()
        return writer.bytes
    }

    /// Reads a desired state: `{"state":"stopped"}`.
    public static func decodeDesired(_ bytes: [UInt8]) throws(PayloadError) -> MachineState {
        let fields = try JSONFields.read(bytes, maximumSize: 4096, what: "a desired state")
        let text = try fields.string("state")
        guard let state = MachineState(rawValue: text) else { throw PayloadError(.invalidValue, "\"state\" '\(text)' is not a machine state") }
        return state
    }
}
