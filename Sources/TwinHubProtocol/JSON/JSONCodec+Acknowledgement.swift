import Foundation
import TwinModel

/// An acknowledgement of an alert (`…/alert/{rule}/ack`, QoS 1).
extension JSONCodec {
    /// `{"by":…,"comment":…}`
    public static func acknowledgement(_ request: AcknowledgementRequest) -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("by", string: request.by)
        writer.field("comment", string: request.comment)
        writer.close()
        return writer.bytes
    }

    /// Reads an acknowledgement: `{"by":"trainer","comment":"checked the coolant"}`, both optional; an
    /// empty payload is an anonymous acknowledgement.
    public static func decodeAcknowledgement(_ bytes: [UInt8]) throws(PayloadError) -> AcknowledgementRequest {
        guard !bytes.isEmpty else { return AcknowledgementRequest(by: "anonymous", comment: "") }
        let fields = try JSONFields.read(bytes, maximumSize: 4096, what: "an acknowledgement")
        let by = try fields.optionalString("by") ?? "anonymous"
        let comment = try fields.optionalString("comment") ?? ""
        guard !by.isEmpty, by.count <= 100 else { throw PayloadError(.invalidValue, "\"by\" must be 1 to 100 characters") }
        guard comment.count <= 1000 else { throw PayloadError(.invalidValue, "\"comment\" is at most 1000 characters") }
        return AcknowledgementRequest(by: by, comment: comment)
    }
}
