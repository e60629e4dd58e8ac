import Foundation
import Testing
@testable import Twins
import TwinModel

/// The compact layout of a twin (fields behind one copy-on-write reference, properties in arrays by position,
/// KPI buckets in 32-bit fields allocated only once they hold time) keeps the behaviour of a plain value.
@Suite("Compact twins")
struct CompactTwinTests {
    @Test("A copied twin is a value: changing the copy leaves the original as it was, and the other way round")
    func copyOnWrite() {
        var original = TwinFixtures.twin()
        original.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 9500, "rpm")]), received: at("06:00:01"))
        var copy = original
        copy.apply(TwinFixtures.sample(2, "06:00:02", [("spindle_speed", 9600, "rpm"), ("vibration", 2, "mm/s")]), received: at("06:00:02"))
        #expect(original.reported["spindle_speed"]?.value == 9500 && original.reported["vibration"] == nil && original.version == 1)
        #expect(original.history["spindle_speed"]?.count == 1)
        #expect(copy.reported["spindle_speed"]?.value == 9600 && copy.reported["vibration"]?.value == 2 && copy.version == 2)
        #expect(copy.history["spindle_speed"]?.count == 2)

        original.refresh(now: at("07:00:00"))
        #expect(original.reported["spindle_speed"]?.quality == .stale)
        #expect(copy.reported["spindle_speed"]?.quality == .good, "the copy taken before is not marked stale")
    }

    @Test("A reading is checked against its kind's property by exact name: a canonically equal spelling of another length is unknown")
    func readingChecksByExactName() {
        var kind = TwinFixtures.cnc
        kind.properties[0].name = "caf\u{E9}"
        let unit = kind.properties[0].unit, value = (kind.properties[0].normal.lowerBound + kind.properties[0].normal.upperBound) / 2
        var twin = Twin(address: TwinFixtures.address, kind: kind, settings: TwinSettings())
        let refused = twin.apply(TwinFixtures.sample(1, "06:00:01", [("cafe\u{301}", value, unit), ("caf\u{E9}", value, unit)]), received: at("06:00:01"))
        #expect(refused.map(\.reason) == [.unknownProperty])
        #expect(twin.reported.names == ["caf\u{E9}"])
        #expect(twin.reported["caf\u{E9}"]?.quality == .good)
        #expect(twin.apply(TwinFixtures.sample(2, "06:00:02", [("caf\u{E9}", value, "no such unit")]), received: at("06:00:02")).map(\.reason) == [.unitMismatch])
    }

    @Test("Twins with every property of their kind share the kind's names, in whatever order they came; others keep their own")
    func sharedNames() {
        let kind = SharedKind(TwinFixtures.cnc)
        let all = TwinFixtures.cnc.properties.map { ($0.name, ($0.normal.lowerBound + $0.normal.upperBound) / 2, $0.unit) }
        let settings = SharedSettings(TwinSettings())
        var inOrder = Twin(address: TwinFixtures.address, serial: 0, shared: kind, settings: settings)
        var reversed = inOrder
        var some = inOrder
        inOrder.apply(TwinFixtures.sample(1, "06:00:01", all), received: at("06:00:01"))
        reversed.apply(TwinFixtures.sample(1, "06:00:01", all.reversed()), received: at("06:00:01"))
        some.apply(TwinFixtures.sample(1, "06:00:01", Array(all.reversed().prefix(3))), received: at("06:00:01"))
        func buffer(_ names: [String]) -> UnsafeRawPointer? { names.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(buffer(inOrder.reported.names) == buffer(kind.propertyNames))
        #expect(buffer(reversed.reported.names) == buffer(kind.propertyNames))
        #expect(reversed.reported.dictionary == inOrder.reported.dictionary && reversed.history.dictionary == inOrder.history.dictionary)
        #expect(some.reported.names == kind.propertyNames.suffix(3) && buffer(some.reported.names) != buffer(kind.propertyNames))

        let restored = Twin(record: reversed.record, serial: 1, shared: kind, settings: settings)
        #expect(buffer(restored.reported.names) == buffer(kind.propertyNames))
        var added = inOrder
        added.apply(TwinFixtures.sample(2, "06:00:02", [("extra", 1, "")]), received: at("06:00:02"))
        #expect(added.reported.names == kind.propertyNames, "an unknown property is refused, names unchanged")

        // Units: the kind's array once the twin has every property, as the values show them.
        #expect(buffer(inOrder.reported.column.units) == buffer(kind.propertyUnits))
        #expect(inOrder.reported.map(\.value.unit) == TwinFixtures.cnc.properties.map(\.unit))
        // A twin stored when its kind had another unit keeps that unit until a reading in today's unit.
        var record = inOrder.record
        record.reported["power"]?.unit = "W"
        var old = Twin(record: record, serial: 2, shared: kind, settings: settings)
        #expect(buffer(old.reported.names) == buffer(kind.propertyNames) && buffer(old.reported.column.units) != buffer(kind.propertyUnits))
        #expect(old.reported["power"]?.unit == "W")
        old.apply(TwinFixtures.sample(3, "06:00:03", [("power", 12, "kW")]), received: at("06:00:03"))
        #expect(old.reported["power"]?.unit == "kW" && old.reported["power"]?.value == 12)
        #expect(buffer(old.reported.column.units) == buffer(kind.propertyUnits), "back to the kind's units")
    }

    @Test("A generic twin that learns its kind keeps every property's value, unit and history in step")
    func adoptsKind() throws {
        var store = TwinStore(kinds: ["cnc_machining_centre": TwinFixtures.cnc])
        let address = TwinFixtures.address
        func send(_ sequence: UInt64, kind: String, _ values: [(String, Double, String)]) {
            let sample = TwinFixtures.sample(sequence, "06:00:0\(sequence)", values)
            _ = store.apply(.telemetry(.init(machine: address.name, kind: kind, sample: sample)), address: address, received: at("06:00:01"))
        }
        send(1, kind: "not_yet_known", [("vibration", 2, "in/s"), ("spindle_speed", 9000, "rpm"), ("extra", 7, "x")])
        #expect(store.twins[address]?.kind == nil)
        send(2, kind: TwinFixtures.cnc.id, [("power", 12, "kW"), ("vibration", 3, "mm/s"), ("spindle_load", 40, "%")])
        let twin = try #require(store.twins[address])
        #expect(twin.kind?.id == TwinFixtures.cnc.id)
        let expected: [String: (Double, String, [Double])] = [
            "vibration": (3, "mm/s", [2, 3]), "spindle_speed": (9000, "rpm", [9000]), "extra": (7, "x", [7]),
            "power": (12, "kW", [12]), "spindle_load": (40, "%", [40]),
        ]
        #expect(Set(twin.reported.names) == Set(expected.keys))
        for (name, (value, unit, samples)) in expected {
            #expect(twin.reported[name]?.value == value && twin.reported[name]?.unit == unit, "\(name)")
            #expect(twin.history[name]?.samples.map(\.value) == samples, "\(name)")
        }
    }

    @Test("A generic twin keeps properties in the order it first saw them")
    func genericOrder() {
        var twin = TwinFixtures.twin(kind: nil)
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("zeta", 1, "x"), ("alpha", 2, "x")]), received: at("06:00:01"))
        twin.apply(TwinFixtures.sample(2, "06:00:02", [("beta", 3, "x"), ("alpha", 4, "x")]), received: at("06:00:02"))
        #expect(twin.reported.names == ["zeta", "alpha", "beta"])
        #expect(twin.history["alpha"]?.samples.map(\.value) == [2, 4])
        twin.apply(TwinFixtures.sample(3, "06:00:03", [("alpha", 5, "y")]), received: at("06:00:03"))
        #expect(twin.reported["alpha"]?.unit == "y" && twin.reported["zeta"]?.unit == "x", "a generic twin takes each reading's unit")
    }

    @Test("A kind's twin keeps its properties in the kind's order, finds them by name, and stores them as a dictionary")
    func propertyValues() {
        var twin = TwinFixtures.twin()
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("vibration", 2, "mm/s"), ("spindle_speed", 9500, "rpm")]), received: at("06:00:01"))
        twin.apply(TwinFixtures.sample(2, "06:00:02", [("spindle_speed", 9600, "rpm"), ("power", 12, "kW")]), received: at("06:00:02"))
        #expect(twin.reported.names == ["spindle_speed", "vibration", "power"], "in the kind's order, not as they came")
        #expect(twin.reported.map(\.key) == twin.history.map(\.key))
        #expect(twin.reported["spindle_speed"]?.value == 9600 && twin.reported["nothing"] == nil)
        #expect(twin.history["spindle_speed"]?.samples.map(\.value) == [9500, 9600])
        #expect(twin.reported.dictionary == twin.record.reported)
        #expect(twin.reported.dictionary.count == 3)

        // Restored in the kind's property order.
        let restored = Twin(record: twin.record, kind: TwinFixtures.cnc, settings: twin.settings)
        let kindOrder = TwinFixtures.cnc.properties.map(\.name).filter { twin.reported.names.contains($0) }
        #expect(restored.reported.names == kindOrder)
        #expect(restored.reported.dictionary == twin.reported.dictionary)
        #expect(restored.history["spindle_speed"] == twin.history["spindle_speed"])
    }

    @Test("Names of another length are other names, as MQTT topics are; two spellings of one name store as one")
    func names() throws {
        #expect(["spindle_speed", "power"].position(ofName: "power") == 1)
        #expect(["spindle_speed", "power"].position(ofName: "powe") == nil && ["spindle_speed", "power"].position(ofName: "powers") == nil)
        #expect(!"caf\u{E9}".isSameName(as: "cafe\u{301}") && "caf\u{E9}".isSameName(as: "caf\u{E9}"))
        var twin = TwinFixtures.twin(kind: nil)
        twin.apply(TwinFixtures.sample(1, "06:00:01", [("caf\u{E9}", 1, "x")]), received: at("06:00:01"))
        twin.apply(TwinFixtures.sample(2, "06:00:02", [("cafe\u{301}", 2, "x")]), received: at("06:00:02"))
        #expect(twin.reported.count == 2 && twin.reported["caf\u{E9}"]?.value == 1 && twin.reported["cafe\u{301}"]?.value == 2)
        // A dictionary takes them for one key: storing keeps the later, and does not stop the program.
        let record = twin.record
        #expect(record.reported.count == 1 && record.reported["caf\u{E9}"]?.value == 2)
        let restored = Twin(record: try JSONDecoder().decode(Twin.Record.self, from: JSONEncoder().encode(record)), kind: nil, settings: twin.settings)
        #expect(restored.reported.count == 1)
    }

    @Test("The store numbers its twins densely in the order they appear, and a restored twin keeps its number")
    func serials() {
        var store = TwinStore(kinds: TwinStoreTests.kinds)
        let machines = ["cnc-01", "cnc-02", "cnc-03"]
        for (index, machine) in machines.enumerated() {
            let address = PlantPath(site: "s", area: "a", line: "l", machine: machine)
            _ = store.ingest(TwinStoreTests.telemetry(UInt64(index + 1), machine: machine), channel: .telemetry, address: address, received: at("06:00:01"))
        }
        let serials = machines.map { store.twins[PlantPath(site: "s", area: "a", line: "l", machine: $0)]!.serial }
        #expect(serials == [0, 1, 2] && store.serials == 3)

        let second = store.twins[PlantPath(site: "s", area: "a", line: "l", machine: "cnc-02")]!
        var fresh = Twin(address: PlantPath(site: "s", area: "a", line: "l", machine: "cnc-09"), kind: TwinFixtures.cnc)
        fresh.apply(TwinFixtures.sample(1, "06:00:01", [("spindle_speed", 9500, "rpm")]), received: at("06:00:01"))
        store.restore([second.record, fresh.record])
        #expect(store.twins[second.address]?.serial == 1, "a twin already in the store keeps its number")
        #expect(store.twins[fresh.address]?.serial == 3 && store.serials == 4)
    }

    @Test("A twin taken out of the store gives its serial to the next new twin")
    func serialReuse() {
        var store = TwinStore(kinds: TwinStoreTests.kinds, unknownKinds: .reject)
        let ghost = PlantPath(site: "s", area: "a", line: "l", machine: "ghost")
        for round in 1...3 {
            // Seen through its status, then refused for its unknown kind: it leaves the store each time.
            _ = store.ingest(Array(#"{"status":"online","reason":"hello"}"#.utf8), channel: .status, address: ghost, received: at("06:00:01"))
            #expect(store.twins[ghost]?.serial == 0, "round \(round)")
            _ = store.ingest(TwinStoreTests.telemetry(1, machine: "ghost", kind: "warp_drive"), channel: .telemetry, address: ghost, received: at("06:00:01"))
            #expect(store.twins[ghost] == nil)
        }
        _ = store.ingest(TwinStoreTests.telemetry(1), channel: .telemetry, address: TwinStoreTests.cnc, received: at("06:00:02"))
        #expect(store.twins[TwinStoreTests.cnc]?.serial == 0 && store.serials == 1)
    }

    @Test("Twins of a kind in a store share one kind, and a twin seen first without telemetry adopts it")
    func sharedKind() {
        var store = TwinStore(kinds: TwinStoreTests.kinds)
        let first = TwinStoreTests.cnc, second = PlantPath(site: "s", area: "a", line: "l", machine: "cnc-02")
        _ = store.ingest(TwinStoreTests.telemetry(1), channel: .telemetry, address: first, received: at("06:00:01"))
        _ = store.ingest(Array(#"{"status":"online","reason":"hello"}"#.utf8), channel: .status, address: second, received: at("06:00:01"))
        #expect(store.twins[second] != nil && store.twins[second]?.kind == nil)
        _ = store.ingest(TwinStoreTests.telemetry(2, machine: "cnc-02"), channel: .telemetry, address: second, received: at("06:00:02"))
        #expect(store.twins[second]?.kind?.id == "cnc_machining_centre" && store.twins[first]?.kind?.id == "cnc_machining_centre")
    }
}

@Suite("KPI window buckets")
struct WindowBucketTests {
    @Test("A tally and a window bucket have a place for every machine state")
    func everyState() {
        var tally = ProductionTally()
        for (offset, state) in MachineState.allCases.enumerated() { tally.add(seconds: Double(offset + 1), in: state) }
        let bucket = WindowBucket(tally)
        for (offset, state) in MachineState.allCases.enumerated() {
            #expect(tally.seconds(in: state) == Double(offset + 1))
            #expect(bucket.tally.seconds(in: state) == Double(offset + 1))
        }
    }

    @Test("A bucket keeps what a tally keeps, to a Float's precision, and stores and reads back unchanged")
    func bucketMatchesTally() {
        var tally = ProductionTally()
        let changes: [ProductionTally.Change] = [
            .seconds(120.25, in: .running), .failure, .seconds(30.5, in: .fault), .repair,
            .parts(made: 12, good: 11, scrap: 1, idealSeconds: 300), .seconds(0.1, in: .running),
        ]
        for change in changes { tally.apply(change) }
        // As a tracker closes its current bucket: converted once.
        let bucket = WindowBucket(tally)
        let read = bucket.tally
        #expect(read.total == 12 && read.good == 11 && read.scrap == 1 && read.failures == 1 && read.repairs == 1)
        #expect(read.idealSeconds == 300 && read.seconds(in: .fault) == 30.5)
        #expect(abs(read.seconds(in: .running) - tally.seconds(in: .running)) < 1e-4)
        #expect(WindowBucket(read) == bucket)
    }

    @Test("Time accounted in small steps adds up in the window as it does in the lifetime tally (Double)")
    func precision() {
        var tracker = KPITracker()
        tracker.observe(state: .running, at: at("06:00:00"))
        var time = at("06:00:00")
        for _ in 0..<18_000 {
            time = time.addingTimeInterval(0.1)
            tracker.advance(to: time)
        }
        let window = tracker.window.seconds(in: .running), lifetime = tracker.lifetime.seconds(in: .running)
        #expect(abs(lifetime - 1800) < 1e-2, "0.1 s steps of a Date drift a little")
        #expect(abs(window - lifetime) < 1e-4, "window \(window) s against \(lifetime) s")
        #expect(KPITracker(configuration: .init(), restoring: tracker.saved).window == tracker.window)
    }

    @Test("A fresh tracker holds no buckets, stores an empty window and reads it back; a clock jump empties it again")
    func emptyWindow() throws {
        var tracker = KPITracker()
        tracker.advance(to: at("06:00:00"))
        #expect(tracker.saved.ring.isEmpty && tracker.window == ProductionTally())
        let restored = KPITracker(configuration: .init(), restoring: tracker.saved)
        #expect(restored.saved == tracker.saved)

        tracker.observe(state: .running, at: at("06:00:00"))
        tracker.advance(to: at("06:10:00"))
        #expect(tracker.saved.ring.count == 12 && tracker.window.seconds(in: .running) == 600)
        let reread = KPITracker(configuration: .init(), restoring: tracker.saved)
        #expect(reread.window == tracker.window)

        // A jump of the machine's clock empties the window and lets its buckets go.
        tracker.restartClock(at: at("12:00:00"))
        #expect(tracker.saved.ring.isEmpty && tracker.window == ProductionTally())
        #expect(tracker.lifetime.seconds(in: .running) == 600, "the lifetime keeps what it had")
    }
}
