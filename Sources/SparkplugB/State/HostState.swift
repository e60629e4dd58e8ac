import TwinModel

/// A host application's STATE payload (JSON, not protobuf): `{"online":true,"timestamp":1700000000000}`.
///
/// The will registered at connect says offline with the connect time; the birth published once subscribed says
/// online with the same timestamp. Edge nodes judge a STATE by its timestamp: one older than the last they saw is stale.
public struct HostState: Sendable, Hashable {
    public var online: Bool
    /// Milliseconds since the epoch (UTC).
    public var timestamp: UInt64

    public init(online: Bool, timestamp: UInt64) {
        self.online = online
        self.timestamp = timestamp
    }

    /// The JSON payload.
    public func encoded() -> [UInt8] {
        var writer = JSONWriter()
        writer.open()
        writer.field("online", bool: online)
        writer.field("timestamp", integer: Int(clamping: timestamp))
        writer.close()
        return writer.fragment
    }

    /// Reads a STATE payload.
    /// - Throws: ``SparkplugError`` (``SparkplugError/Code/invalidValue``) for bad JSON, a missing or mistyped
    ///   `online` or `timestamp`, or a timestamp that is not a whole number of ms ≥ 0.
    public init(decoding bytes: [UInt8]) throws(SparkplugError) {
        let json: JSON
        do {
            json = try JSONReader.read(bytes)
        } catch {
            throw SparkplugError(.invalidValue, "the STATE payload is not JSON: \(error.reason)")
        }
        guard case .bool(let online)? = json["online"] else {
            throw SparkplugError(.invalidValue, "the STATE payload has no boolean 'online'")
        }
        guard case .number(let number)? = json["timestamp"], number >= 0, number < 0x1p53, number.rounded() == number else {
            throw SparkplugError(.invalidValue, "the STATE payload has no 'timestamp' in whole ms since the epoch")
        }
        self.init(online: online, timestamp: UInt64(number))
    }
}
