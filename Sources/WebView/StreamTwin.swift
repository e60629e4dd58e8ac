import FleetView
import TwinHubProtocol
import TwinModel

/// A twin as the stream sends it: each field's JSON written once per change of the twin (shared by every client),
/// and the journal number at which each last changed, so a session sends a client only the fields that changed
/// since it last sent that twin. Readings are fields of their own (`readings.NAME`).
public struct StreamTwin: Sendable {
    /// The fields a client may ask for; `readings.NAME` asks for one reading.
    public static let fieldNames = ["kind", "state", "connectivity", "oee", "oee_shift", "worst_alert", "version", "counters", "readings"]

    /// A field's JSON value and the journal number of its last change.
    struct Field: Sendable {
        var value: [UInt8]
        var changed: UInt64
    }

    private(set) var fields: [String: Field] = [:]
    /// The journal number of the twin's last change.
    public private(set) var changed: UInt64 = 0

    /// Takes the twin's new snapshot (and its worst open alert) at journal number `number`; returns whether any field changed.
    @discardableResult
    mutating func update(_ twin: TwinSnapshot, worst: AlertSnapshot?, at number: UInt64) -> Bool {
        var values: [(String, [UInt8])] = [
            ("kind", Self.string(twin.kind)), ("state", Self.string(twin.state)), ("connectivity", Self.string(twin.connectivity)),
            ("oee", Self.number(twin.window.oee)), ("oee_shift", Self.number(twin.shift.oee)), ("worst_alert", Self.alert(worst)),
            ("version", Self.number(Double(twin.version))), ("counters", Self.counters(twin.counters)),
        ]
        for reading in twin.readings {
            var json = JSONWriter()
            json.open()
            json.field("value", number: reading.value)
            json.field("unit", string: reading.unit)
            json.field("quality", string: reading.quality)
            // The source time: how old the value is, for a client that shows it (or measures it).
            if let time = reading.time { json.field("ts", timestamp: time) }
            json.close()
            values.append(("readings.\(reading.name)", json.fragment))
        }
        var any = false
        // A reading the snapshot no longer has leaves (a snapshot after it does not show it).
        let present = Set(values.map(\.0))
        for name in fields.keys where name.hasPrefix("readings.") && !present.contains(name) {
            fields[name] = nil
            any = true
        }
        for (name, value) in values where fields[name]?.value != value {
            fields[name] = Field(value: value, changed: number)
            any = true
        }
        if any { changed = number }
        return any
    }

    /// Takes a new worst open alert at journal number `number`; returns whether it changed.
    @discardableResult
    mutating func update(worst: AlertSnapshot?, at number: UInt64) -> Bool {
        let value = Self.alert(worst)
        guard fields["worst_alert"]?.value != value else { return false }
        fields["worst_alert"] = Field(value: value, changed: number)
        changed = number
        return true
    }

    /// Writes the fields of `selection` that changed after journal number `after` (every one for 0) as members of
    /// an object; returns whether it wrote any.
    func write(_ selection: FieldSelection, changedAfter after: UInt64, into json: inout JSONWriter) -> Bool {
        var wrote = false
        var readings: [(String, [UInt8])] = []
        for (name, field) in fields where field.changed > after && selection.contains(name) {
            if name.hasPrefix("readings.") {
                readings.append((String(name.dropFirst("readings.".count)), field.value))
            } else {
                json.key(name)
                json.element(document: field.value)
                wrote = true
            }
        }
        if !readings.isEmpty {
            json.key("readings")
            json.open()
            for (name, value) in readings.sorted(by: { $0.0 < $1.0 }) {
                json.key(name)
                json.element(document: value)
            }
            json.close()
            wrote = true
        }
        return wrote
    }

    private static func string(_ text: String) -> [UInt8] {
        var json = JSONWriter()
        json.element(string: text)
        return json.fragment
    }

    private static func number(_ value: Double?) -> [UInt8] {
        var json = JSONWriter()
        if let value { json.element(number: value) } else { json.elementNull() }
        return json.fragment
    }

    private static func counters(_ counters: TwinSnapshot.Counters?) -> [UInt8] {
        var json = JSONWriter()
        guard let counters else {
            json.elementNull()
            return json.fragment
        }
        json.open()
        json.field("total", integer: counters.total)
        json.field("good", integer: counters.good)
        json.field("scrap", integer: counters.scrap)
        json.close()
        return json.fragment
    }

    private static func alert(_ alert: AlertSnapshot?) -> [UInt8] {
        var json = JSONWriter()
        json.element(worstAlert: alert)
        return json.fragment
    }
}

/// The fields a stream subscription asks for: named fields, every reading or some of them.
public struct FieldSelection: Sendable, Hashable {
    /// Top-level fields (`state`, `oee`, …); `readings` among them asks for every reading.
    public var names: Set<String>
    /// Single readings asked for (`readings.NAME`).
    public var readings: Set<String>

    /// Every field.
    public static let all = FieldSelection(names: Set(StreamTwin.fieldNames), readings: [])

    public init(names: Set<String>, readings: Set<String>) {
        self.names = names
        self.readings = readings
    }

    func contains(_ field: String) -> Bool {
        if field.hasPrefix("readings.") {
            return names.contains("readings") || readings.contains(String(field.dropFirst("readings.".count)))
        }
        return names.contains(field)
    }
}
