extension SparkplugPayload {
    /// Reads the payload of a message of type `verb` and checks what the specification requires of it:
    /// - NBIRTH, DBIRTH, NDATA, DDATA, DDEATH: a seq of 0–255 and a timestamp;
    /// - NBIRTH and DBIRTH: every metric named, with a datatype; NBIRTH: a `bdSeq` metric;
    /// - NDEATH: a `bdSeq` metric (a seq is tolerated and ignored).
    /// - Parameter dataType: the data type of a metric that has none, from its birth (see ``init(decoding:dataType:)``).
    /// - Throws: ``SparkplugError`` with the reason.
    public init(decoding bytes: [UInt8], as verb: SparkplugVerb,
                dataType: (_ name: String?, _ alias: UInt64?) -> SparkplugDataType? = { _, _ in nil }) throws(SparkplugError) {
        try self.init(decoding: bytes, dataType: dataType)
        if verb.carriesSeq {
            _ = try sequenceNumber(verb)
            guard timestamp != nil else { throw SparkplugError(.missingField, "the \(verb) payload has no timestamp") }
        }
        if verb == .nbirth || verb == .dbirth {
            for (index, metric) in metrics.enumerated() {
                guard metric.name != nil else {
                    throw SparkplugError(.missingField, "\(verb): \(SparkplugMetric.label(name: nil, alias: metric.alias, index: index)) has no name")
                }
                guard metric.dataType != nil else {
                    throw SparkplugError(.missingField, "\(verb): \(SparkplugMetric.label(name: metric.name, alias: nil, index: index)) has no datatype")
                }
            }
        }
        if verb == .nbirth || verb == .ndeath { _ = try birthDeathSequence(verb) }
    }

    /// The seq of a message of type `verb`.
    /// - Throws: ``SparkplugError`` when it is absent or above 255.
    public func sequenceNumber(_ verb: SparkplugVerb) throws(SparkplugError) -> UInt8 {
        guard let seq else { throw SparkplugError(.missingField, "the \(verb) payload has no seq") }
        guard let narrow = UInt8(exactly: seq) else { throw SparkplugError(.invalidValue, "the \(verb) payload's seq \(seq) is above 255") }
        return narrow
    }

    /// The `bdSeq` metric's value (an integer of any Sparkplug integer type, 0–255).
    /// - Throws: ``SparkplugError`` when it is absent, null, not an integer or above 255.
    public func birthDeathSequence(_ verb: SparkplugVerb) throws(SparkplugError) -> UInt8 {
        guard let metric = metric(named: Self.bdSeqMetricName) else {
            throw SparkplugError(.missingField, "the \(verb) payload has no '\(Self.bdSeqMetricName)' metric")
        }
        guard let value = metric.value, let number = value.number, value.text == nil, value.dataType != .boolean else {
            throw SparkplugError(.wrongType, "the \(verb) payload's '\(Self.bdSeqMetricName)' is \(metric.value.map { "a \($0.dataType)" } ?? "null"), not an integer")
        }
        guard let bdSeq = UInt8(exactly: number) else {
            throw SparkplugError(.invalidValue, "the \(verb) payload's '\(Self.bdSeqMetricName)' \(number) is not 0–255")
        }
        return bdSeq
    }

    /// Whether this NCMD asks for a rebirth (`Node Control/Rebirth` = true).
    public var isRebirthRequest: Bool {
        metric(named: Self.rebirthMetricName)?.value == .boolean(true)
    }
}

extension SparkplugPayload {
    /// The seq of a payload, read before its metrics can be (their types come from births that may not be known
    /// yet).
    /// - Throws: ``SparkplugError`` for bytes that are not the protobuf, or a seq that is absent or above 255.
    static func peekSequenceNumber(_ bytes: [UInt8], _ verb: SparkplugVerb) throws(SparkplugError) -> UInt8 {
        // Every data message passes here before it is decoded whole: read the top-level fields' keys and skip their
        // values, which finds `seq` (field 3) without decoding the metrics. Anything odd takes the full decoder, for its error.
        if let seq = scanSequenceNumber(bytes) {
            return try SparkplugPayload(timestamp: nil, seq: seq, metrics: []).sequenceNumber(verb)
        }
        let payload: ProtoPayload
        do {
            payload = try ProtoPayload(serializedBytes: bytes)
        } catch {
            throw SparkplugError(.malformedPayload, "not a Sparkplug B protobuf payload (\(bytes.count) bytes): \(error)")
        }
        return try SparkplugPayload(timestamp: nil, seq: payload.hasSeq ? payload.seq : nil, metrics: []).sequenceNumber(verb)
    }

    /// The last `seq` (field 3, a varint) among the payload's top-level fields; `nil` when there is none or the bytes are
    /// not well-formed protobuf.
    static func scanSequenceNumber(_ bytes: [UInt8]) -> UInt64? {
        var index = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        var seq: UInt64?
        while index < bytes.count {
            guard let key = varint(), key >> 3 != 0 else { return nil }
            switch key & 7 {
            case 0:
                guard let value = varint() else { return nil }
                if key >> 3 == 3 { seq = value }
            case 1: index += 8
            case 2:
                guard let length = varint(), length <= UInt64(bytes.count - index) else { return nil }
                index += Int(length)
            case 5: index += 4
            default: return nil
            }
        }
        return index == bytes.count ? seq : nil
    }
}
