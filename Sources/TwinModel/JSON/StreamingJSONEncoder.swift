import Foundation

/// A value that writes its own JSON, the same JSON its `Encodable` conformance produces, without going through an
/// `Encoder`: for the small types a stored twin has many of. ``StreamingJSONEncoder`` uses it when it is there;
/// tests hold the two to the same JSON.
public protocol JSONStreamWritable: Encodable {
    func write(to writer: inout JSONWriter) throws
}

/// Encodes `Encodable` values to JSON by writing straight into one byte buffer, instead of building a tree of
/// boxed values first as Foundation's `JSONEncoder` does: many times faster, for values written over and over
/// (a twin's stored record every second).
///
/// The JSON reads back with `JSONDecoder` and its default strategies: dates as seconds since 2001 (what `Date`
/// encodes itself as), `Data` as Base64, keys as they are. Non-finite numbers are refused, as `JSONEncoder`
/// refuses them. Containers are written in the order they are used, which is how synthesized and ordinary
/// `encode(to:)` methods use them; writing to a container after one opened later has been written to throws.
public struct StreamingJSONEncoder {
    public init() {}

    /// The JSON of `value`.
    public func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let sink = Sink()
        try sink.encodeValue(value, codingPath: [])
        return sink.writer.bytes
    }

    /// Where a container writes: how many containers are open around its values, and which one is innermost.
    fileprivate struct Position {
        var depth: Int
        var id: Int
    }

    /// The buffer, and the containers open in it (outermost first).
    fileprivate final class Sink {
        var writer = JSONWriter()
        /// Each open container: object or array, its id, and the id of the encoder that opened it.
        var open: [(isObject: Bool, id: Int, encoder: Int)] = []
        private var lastID = 0

        func nextID() -> Int {
            lastID += 1
            return lastID
        }

        /// The position of values written now, inside the innermost open container.
        var current: Position { Position(depth: open.count, id: open.last?.id ?? 0) }

        /// Closes the containers opened inside the one at `position`; throws if that one was already closed.
        func resume(_ position: Position, _ codingPath: @autoclosure () -> [any CodingKey]) throws {
            guard open.count >= position.depth, position.depth == 0 || open[position.depth - 1].id == position.id else {
                throw EncodingError.invalidValue((), .init(codingPath: codingPath(), debugDescription:
                    "a container was written to after a container opened later; StreamingJSONEncoder writes in order"))
            }
            while open.count > position.depth {
                if open.removeLast().isObject { writer.close() } else { writer.closeArray() }
            }
        }

        func openObject(by encoder: Int) -> Position {
            writer.open()
            open.append((true, nextID(), encoder))
            return current
        }

        func openArray(by encoder: Int) -> Position {
            writer.openArray()
            open.append((false, nextID(), encoder))
            return current
        }

        func encodeValue<Value: Encodable>(_ value: Value, codingPath: [any CodingKey]) throws {
            if Value.self == Date.self, let date = value as? Date {
                // What Date.encode(to:) writes: seconds since 2001.
                try number(date.timeIntervalSinceReferenceDate, codingPath)
                return
            }
            if Value.self == Data.self, let data = value as? Data {
                writer.element(base64: data)
                return
            }
            if let writable = value as? any JSONStreamWritable {
                try writable.write(to: &writer)
                return
            }
            let position = current
            let before = writer.bytes.count
            try value.encode(to: Encoder(sink: self, codingPath: codingPath, id: nextID()))
            try resume(position, codingPath)
            // A value that asked for no container at all is an empty object, as with JSONEncoder.
            if writer.bytes.count == before {
                writer.open()
                writer.close()
            }
        }

        func number(_ value: Double, _ codingPath: @autoclosure () -> [any CodingKey]) throws {
            guard value.isFinite else {
                throw EncodingError.invalidValue(value, .init(codingPath: codingPath(), debugDescription: "\(value) is not a JSON number"))
            }
            writer.element(number: value)
        }

        func number(_ value: Float, _ codingPath: @autoclosure () -> [any CodingKey]) throws {
            guard value.isFinite else {
                throw EncodingError.invalidValue(value, .init(codingPath: codingPath(), debugDescription: "\(value) is not a JSON number"))
            }
            // Float's own shortest text, so it reads back as the same Float.
            if value == value.rounded(), abs(value) < 1e7 { writer.element(integer: Int64(value)) } else { writer.element(rawText: "\(value)") }
        }
    }

    fileprivate struct Encoder: Swift.Encoder {
        let sink: Sink
        let codingPath: [any CodingKey]
        /// Tells the containers this encoder opened from others (a second `container(keyedBy:)` gets the same object).
        let id: Int
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            // Asked again (a superclass's encode, a helper): the same object, as JSONEncoder gives.
            if let index = sink.open.lastIndex(where: { $0.encoder == id && $0.isObject }) {
                return KeyedEncodingContainer(KeyedContainer<Key>(sink: sink, codingPath: codingPath,
                                                                  position: Position(depth: index + 1, id: sink.open[index].id)))
            }
            return KeyedEncodingContainer(KeyedContainer<Key>(sink: sink, codingPath: codingPath, position: sink.openObject(by: id)))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            UnkeyedContainer(sink: sink, codingPath: codingPath, position: sink.openArray(by: id))
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            SingleValueContainer(sink: sink, codingPath: codingPath, position: sink.current)
        }
    }

    fileprivate struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        let codingPath: [any CodingKey]
        let position: Position

        private func key(_ key: Key) throws {
            try sink.resume(position, codingPath + [key])
            sink.writer.key(key.stringValue)
        }

        mutating func encodeNil(forKey key: Key) throws {
            try self.key(key)
            sink.writer.elementNull()
        }

        mutating func encode(_ value: Bool, forKey key: Key) throws {
            try self.key(key)
            sink.writer.element(bool: value)
        }

        mutating func encode(_ value: String, forKey key: Key) throws {
            try self.key(key)
            sink.writer.element(string: value)
        }

        mutating func encode(_ value: Double, forKey key: Key) throws {
            try self.key(key)
            try sink.number(value, codingPath + [key])
        }

        mutating func encode(_ value: Float, forKey key: Key) throws {
            try self.key(key)
            try sink.number(value, codingPath + [key])
        }

        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }

        private func integer<Integer: BinaryInteger>(_ value: Integer, _ key: Key) throws {
            try self.key(key)
            sink.writer.element(integer: value)
        }

        mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
            try self.key(key)
            try sink.encodeValue(value, codingPath: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            // A container that cannot be written in order is reported by its first write (`resume`).
            try? self.key(key)
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(sink: sink, codingPath: codingPath + [key], position: sink.openObject(by: 0)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            try? self.key(key)
            return UnkeyedContainer(sink: sink, codingPath: codingPath + [key], position: sink.openArray(by: 0))
        }

        mutating func superEncoder() -> any Swift.Encoder {
            superEncoder(named: "super")
        }

        mutating func superEncoder(forKey key: Key) -> any Swift.Encoder {
            superEncoder(named: key.stringValue)
        }

        private func superEncoder(named name: String) -> any Swift.Encoder {
            try? sink.resume(position, codingPath)
            sink.writer.key(name)
            return Encoder(sink: sink, codingPath: codingPath, id: sink.nextID())
        }
    }

    fileprivate struct UnkeyedContainer: UnkeyedEncodingContainer, ValueWriting {
        let sink: Sink
        let codingPath: [any CodingKey]
        let position: Position
        private(set) var count = 0

        init(sink: Sink, codingPath: [any CodingKey], position: Position) {
            self.sink = sink
            self.codingPath = codingPath
            self.position = position
        }

        mutating func startValue() throws {
            try sink.resume(position, codingPath)
            count += 1
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            try? startValue()
            return KeyedEncodingContainer(KeyedContainer<NestedKey>(sink: sink, codingPath: codingPath, position: sink.openObject(by: 0)))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            try? startValue()
            return UnkeyedContainer(sink: sink, codingPath: codingPath, position: sink.openArray(by: 0))
        }

        mutating func superEncoder() -> any Swift.Encoder {
            try? startValue()
            return Encoder(sink: sink, codingPath: codingPath, id: sink.nextID())
        }
    }

    fileprivate struct SingleValueContainer: SingleValueEncodingContainer, ValueWriting {
        let sink: Sink
        let codingPath: [any CodingKey]
        let position: Position

        mutating func startValue() throws {
            try sink.resume(position, codingPath)
        }
    }
}

/// What the unkeyed and the single-value containers share: every value is written the same way, once the container
/// is ready for it (``startValue()``).
private protocol ValueWriting {
    var sink: StreamingJSONEncoder.Sink { get }
    var codingPath: [any CodingKey] { get }
    mutating func startValue() throws
}

extension ValueWriting {
    mutating func encodeNil() throws {
        try startValue()
        sink.writer.elementNull()
    }

    mutating func encode(_ value: Bool) throws {
        try startValue()
        sink.writer.element(bool: value)
    }

    mutating func encode(_ value: String) throws {
        try startValue()
        sink.writer.element(string: value)
    }

    mutating func encode(_ value: Double) throws {
        try startValue()
        try sink.number(value, codingPath)
    }

    mutating func encode(_ value: Float) throws {
        try startValue()
        try sink.number(value, codingPath)
    }

    mutating func encode(_ value: Int) throws { try integer(value) }
    mutating func encode(_ value: Int8) throws { try integer(value) }
    mutating func encode(_ value: Int16) throws { try integer(value) }
    mutating func encode(_ value: Int32) throws { try integer(value) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try integer(value) }
    mutating func encode(_ value: UInt8) throws { try integer(value) }
    mutating func encode(_ value: UInt16) throws { try integer(value) }
    mutating func encode(_ value: UInt32) throws { try integer(value) }
    mutating func encode(_ value: UInt64) throws { try integer(value) }

    private mutating func integer<Integer: BinaryInteger>(_ value: Integer) throws {
        try startValue()
        sink.writer.element(integer: value)
    }

    mutating func encode<Value: Encodable>(_ value: Value) throws {
        try startValue()
        try sink.encodeValue(value, codingPath: codingPath)
    }
}

/// An object keyed by the dictionary's keys, as `Dictionary`'s own `Encodable` conformance writes it.
extension Dictionary: JSONStreamWritable where Key == String, Value: JSONStreamWritable {
    public func write(to writer: inout JSONWriter) throws {
        writer.open()
        for (key, value) in self {
            writer.key(key)
            try value.write(to: &writer)
        }
        writer.close()
    }
}
