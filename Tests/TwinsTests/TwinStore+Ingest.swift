import Foundation
import TwinHubProtocol
import TwinModel
import Twins

extension TwinStore {
    /// Decodes a payload of `channel` through the JSON codec and applies it, as the twin service does.
    mutating func ingest(_ payload: [UInt8], channel: TopicMap.Channel, address: PlantPath, received: Date) -> [DeadLetter] {
        do {
            return apply(try JSONCodec.decodeMachineMessage(payload, channel: channel, maximumSize: maximumPayload), address: address, received: received)
        } catch {
            return refuse(decoding: error)
        }
    }
}
