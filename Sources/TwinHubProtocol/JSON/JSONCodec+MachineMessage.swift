import TwinModel
import Twins

/// What a machine topic carries, decoded for the twin store.
extension JSONCodec {
    /// Decodes a message of `channel`: pure and independent of the store, so it can run off any lock. Channels the
    /// twin store does not read (`cmd`, `twin`, `history`) decode to ``Twins/TwinStore/Decoded/ignored``.
    /// - Throws: ``TwinModel/PayloadError`` saying why the payload cannot be read.
    public static func decodeMachineMessage(_ payload: [UInt8], channel: TopicMap.Channel, maximumSize: Int) throws(PayloadError) -> TwinStore.Decoded {
        switch channel {
        case .telemetry: .telemetry(try decodeTelemetry(payload, maximumSize: maximumSize))
        case .state: .state(try decodeState(payload, maximumSize: maximumSize))
        case .counters: .counters(try decodeCounters(payload, maximumSize: maximumSize))
        case .status: .status(try decodeStatus(payload, maximumSize: maximumSize))
        case .desired: .desired(try decodeDesired(payload))
        case .cmd, .twin, .history: .ignored
        }
    }
}
