import TwinModel

/// A message a stream client sends, read and checked: every problem says where (a JSON pointer) and why.
public enum StreamRequest: Sendable, Equatable {
    /// Subscribe (or replace the subscription of the same id).
    case subscribe(id: String, filter: StreamFilter, fields: FieldSelection, rate: Double)
    case unsubscribe(id: String)
    case ping

    /// The updates a subscription gets per second unless it asks otherwise, and the most it may ask.
    public static let defaultRate = 10.0, minimumRate = 0.1, maximumRate = 60.0
    /// The longest subscription id.
    public static let maximumIDLength = 64
    /// The most kinds or twins a filter may list.
    public static let maximumListLength = 10_000

    /// A message that cannot be taken: why, and where in it.
    public struct Refusal: Error, Sendable, Equatable {
        public var reason: String
        public var pointer: String
        /// The operation, when it could be read.
        public var operation: String?
        public var id: String?
    }

    /// Reads one text message.
    public init(_ text: [UInt8]) throws(Refusal) {
        let json: JSON
        do {
            json = try JSONReader.read(text)
        } catch {
            throw Refusal(reason: "not JSON: \(error.reason)", pointer: "")
        }
        guard case .object(let members) = json else { throw Refusal(reason: "a message is a JSON object", pointer: "") }
        guard case .string(let fullOperation)? = members["op"] else {
            throw Refusal(reason: "'op' must be subscribe, unsubscribe or ping", pointer: "/op")
        }
        // What is echoed back of the client's text stays short.
        let operation = String(fullOperation.prefix(64))
        var id: String?
        if let value = members["id"] {
            guard case .string(let text) = value, !text.isEmpty, text.count <= Self.maximumIDLength else {
                throw Refusal(reason: "'id' must be a string of 1 to \(Self.maximumIDLength) characters", pointer: "/id", operation: operation)
            }
            id = text
        }
        func refuse(_ reason: String, _ pointer: String) -> Refusal { Refusal(reason: reason, pointer: pointer, operation: operation, id: id) }
        func allow(_ names: [String], in object: [String: JSON], at base: String) throws(Refusal) {
            for name in object.keys.sorted() where !names.contains(name) {
                throw refuse("unknown member '\(name)' (known: \(names.joined(separator: ", ")))", "\(base)/\(name)")
            }
        }
        switch operation {
        case "ping":
            self = .ping
        case "unsubscribe":
            try allow(["op", "id"], in: members, at: "")
            self = .unsubscribe(id: id ?? "default")
        case "subscribe":
            try allow(["op", "id", "filter", "fields", "max_rate"], in: members, at: "")
            var filter = StreamFilter()
            if let value = members["filter"] {
                guard case .object(let object) = value else { throw refuse("'filter' must be an object", "/filter") }
                try allow(["path", "kinds", "twins"], in: object, at: "/filter")
                if let path = object["path"] {
                    guard case .string(let text) = path else { throw refuse("a path pattern is a string such as site/area/#", "/filter/path") }
                    do {
                        filter.pattern = try PathPattern(text)
                    } catch {
                        throw refuse(error.description, "/filter/path")
                    }
                }
                if let kinds = object["kinds"] { filter.kinds = Set(try Self.strings(kinds, at: "/filter/kinds", refuse)) }
                if let twins = object["twins"] {
                    var paths = Set<PlantPath>()
                    for (index, text) in try Self.strings(twins, at: "/filter/twins", refuse).enumerated() {
                        guard let path = PlantPath(text), path.isMachine else {
                            throw refuse("'\(text.prefix(64))' is not a machine's path (site/area/line/machine)", "/filter/twins/\(index)")
                        }
                        paths.insert(path)
                    }
                    filter.twins = paths
                }
            }
            var fields = FieldSelection.all
            if let value = members["fields"] {
                fields = FieldSelection(names: [], readings: [])
                for (index, name) in try Self.strings(value, at: "/fields", refuse).enumerated() {
                    if name.hasPrefix("readings."), name.count > "readings.".count {
                        fields.readings.insert(String(name.dropFirst("readings.".count)))
                    } else if StreamTwin.fieldNames.contains(name) {
                        fields.names.insert(name)
                    } else {
                        throw refuse("unknown field '\(name.prefix(64))' (known: \(StreamTwin.fieldNames.joined(separator: ", ")), readings.NAME)", "/fields/\(index)")
                    }
                }
            }
            var rate = Self.defaultRate
            if let value = members["max_rate"] {
                guard case .number(let number) = value, number >= Self.minimumRate, number <= Self.maximumRate else {
                    throw refuse("'max_rate' must be a number of updates per second from \(Self.minimumRate) to \(Int(Self.maximumRate))", "/max_rate")
                }
                rate = number
            }
            self = .subscribe(id: id ?? "default", filter: filter, fields: fields, rate: rate)
        default:
            throw refuse("unknown op '\(operation.prefix(64))' (known: subscribe, unsubscribe, ping)", "/op")
        }
    }

    private static func strings(_ value: JSON, at pointer: String, _ refuse: (String, String) -> Refusal) throws(Refusal) -> [String] {
        guard case .array(let elements) = value else { throw refuse("must be an array of strings", pointer) }
        guard elements.count <= maximumListLength else { throw refuse("at most \(maximumListLength) entries", pointer) }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else { throw refuse("must be a string", "\(pointer)/\(index)") }
            strings.append(text)
        }
        return strings
    }
}

/// Which twins a stream subscription follows: a path pattern, and optionally kinds and named twins.
public struct StreamFilter: Sendable, Hashable {
    public var pattern = PathPattern.all
    public var kinds: Set<String>?
    public var twins: Set<PlantPath>?

    public init() {}

    public func matches(_ path: PlantPath, kind: String?) -> Bool {
        guard pattern.matches(path) else { return false }
        if let twins, !twins.contains(path) { return false }
        if let kinds { return kind.map(kinds.contains) ?? false }
        return true
    }
}
