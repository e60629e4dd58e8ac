import Foundation

/// Typed access to the members of a JSON object, with errors that name the field.
public struct JSONFields: Sendable {
    public let members: [String: JSON]

    public init(members: [String: JSON]) {
        self.members = members
    }

    /// The largest payload read unless told otherwise.
    public static let defaultMaximumSize = 64 * 1024

    /// Refuses `bytes` larger than `maximumSize` as ``PayloadError/Code/tooLarge``; `what` names them in the error.
    public static func checkSize(_ bytes: [UInt8], maximumSize: Int, what: String) throws(PayloadError) {
        guard bytes.count <= maximumSize else {
            throw PayloadError(.tooLarge, "\(what) is at most \(maximumSize) bytes, this one is \(bytes.count)")
        }
    }

    /// Reads `bytes` as a JSON object of at most `maximumSize` bytes; `what` names it in errors ("a twin").
    public static func read(_ bytes: [UInt8], maximumSize: Int = JSONFields.defaultMaximumSize, what: String) throws(PayloadError) -> JSONFields {
        try checkSize(bytes, maximumSize: maximumSize, what: what)
        guard case .object(let members) = try JSONReader.read(bytes) else { throw PayloadError(.wrongType, "\(what) must be a JSON object") }
        return JSONFields(members: members)
    }

    public subscript(key: String) -> JSON? { members[key] }

    public func string(_ key: String) throws(PayloadError) -> String {
        try Self.string(members[key], key)
    }

    /// `value`, the member `key`, as a string.
    static func string(_ value: JSON?, _ key: String) throws(PayloadError) -> String {
        guard let value else { throw PayloadError(.missingField, "missing \"\(key)\" (a string)") }
        guard case .string(let text) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be a string") }
        return text
    }

    public func optionalString(_ key: String) throws(PayloadError) -> String? {
        guard members[key] != nil else { return nil }
        return try string(key)
    }

    public func number(_ key: String) throws(PayloadError) -> Double {
        try Self.number(members[key], key)
    }

    static func number(_ value: JSON?, _ key: String) throws(PayloadError) -> Double {
        guard let value else { throw PayloadError(.missingField, "missing \"\(key)\" (a number)") }
        guard case .number(let number) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be a finite number") }
        return number
    }

    public func optionalNumber(_ key: String) throws(PayloadError) -> Double? {
        guard members[key] != nil else { return nil }
        return try number(key)
    }

    public func bool(_ key: String) throws(PayloadError) -> Bool {
        guard let value = members[key] else { throw PayloadError(.missingField, "missing \"\(key)\" (true or false)") }
        guard case .bool(let flag) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be true or false") }
        return flag
    }

    /// The object under `key`.
    public func object(_ key: String) throws(PayloadError) -> JSONFields {
        guard let value = members[key] else { throw PayloadError(.missingField, "missing \"\(key)\" (an object)") }
        guard case .object(let members) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be an object") }
        return JSONFields(members: members)
    }

    /// The object under `key`, or `nil` when it is absent.
    public func optionalObject(_ key: String) throws(PayloadError) -> JSONFields? {
        guard members[key] != nil else { return nil }
        return try object(key)
    }

    /// The numbers of the array under `key`.
    public func numbers(_ key: String) throws(PayloadError) -> [Double] {
        guard let value = members[key] else { throw PayloadError(.missingField, "missing \"\(key)\" (an array of numbers)") }
        guard case .array(let elements) = value else { throw PayloadError(.wrongType, "\"\(key)\" must be an array of numbers") }
        var numbers: [Double] = []
        numbers.reserveCapacity(elements.count)
        for element in elements {
            guard case .number(let number) = element else { throw PayloadError(.wrongType, "\"\(key)\" must be an array of numbers") }
            numbers.append(number)
        }
        return numbers
    }

    public func sequence(_ key: String, minimum: Double) throws(PayloadError) -> UInt64 {
        try Self.sequence(members[key], key, minimum: minimum)
    }

    static func sequence(_ member: JSON?, _ key: String, minimum: Double) throws(PayloadError) -> UInt64 {
        let value = try number(member, key)
        guard value >= minimum, value == value.rounded(), value < 9e15 else {
            throw PayloadError(.invalidValue, "\"\(key)\" must be a whole number ≥ \(Int(minimum))")
        }
        return UInt64(value)
    }

    public func timestamp(_ key: String) throws(PayloadError) -> Date {
        try Self.timestamp(members[key], key)
    }

    static func timestamp(_ member: JSON?, _ key: String) throws(PayloadError) -> Date {
        let text = try string(member, key)
        guard let date = ISO8601Parsing.date(text) else {
            throw PayloadError(.invalidValue, "\"\(key)\" must be an ISO 8601 UTC time such as 2026-03-02T06:00:00.000Z, not '\(text.prefix(40))'")
        }
        return date
    }

    public func optionalTimestamp(_ key: String) throws(PayloadError) -> Date? {
        guard members[key] != nil else { return nil }
        return try timestamp(key)
    }
}
