import Foundation
import Testing
import TwinModel

@Suite("PlantPath: the one location type")
struct PlantPathTests {
    let machine = PlantPath(site: "leuven", area: "fab", line: "line-1", machine: "laser-01")

    @Test("A machine knows its level, name, line and prefixes")
    func levels() {
        #expect(machine.level == .machine)
        #expect(machine.isMachine)
        #expect(machine.name == "laser-01")
        #expect(machine.description == "leuven/fab/line-1/laser-01")
        #expect(machine.linePath == PlantPath(site: "leuven", area: "fab", line: "line-1"))
        #expect(machine.parent == machine.linePath)
        #expect(machine.prefixes == [PlantPath(site: "leuven"), PlantPath(site: "leuven", area: "fab"),
                                     PlantPath(site: "leuven", area: "fab", line: "line-1")])
        #expect(PlantPath(site: "leuven").parent == nil)
        #expect(PlantPath(site: "leuven", area: "fab").level == .area)
        #expect(PlantPath(site: "leuven", area: "fab").linePath == nil)
        #expect(PlantPath(site: "leuven").prefixes.isEmpty)
    }

    @Test("Paths are read back from their text; anything else is refused")
    func parsing() {
        #expect(PlantPath("leuven/fab/line-1/laser-01") == machine)
        #expect(PlantPath("leuven/fab") == PlantPath(site: "leuven", area: "fab"))
        for bad in ["", "a//b", "a/b/c/d/e", "/a", "a/"] { #expect(PlantPath(bad) == nil, "\(bad)") }
    }

    @Test("A prefix contains what lies below it, and sorts before it")
    func containsAndOrder() {
        let line = PlantPath(site: "leuven", area: "fab", line: "line-1")
        #expect(line.contains(machine))
        #expect(PlantPath(site: "leuven").contains(machine))
        #expect(!PlantPath(site: "leuven", area: "other").contains(machine))
        #expect(!machine.contains(line))
        let other = PlantPath(site: "leuven", area: "fab", line: "line-1", machine: "brake-01")
        #expect([machine, line, other, PlantPath(site: "leuven")].sorted()
                == [PlantPath(site: "leuven"), line, other, machine])
    }

    @Test("Payload fields spell a path one way, and are read back the same")
    func jsonFields() throws {
        for path in [machine, PlantPath(site: "s"), PlantPath(site: "s", area: "a"), PlantPath(site: "s", area: "a", line: "l")] {
            var writer = JSONWriter()
            writer.open()
            writer.fields(of: path)
            writer.close()
            #expect(try JSONFields.read(writer.bytes, what: "a path").path() == path)
        }
        let gap = Array(#"{"site":"s","line":"l"}"#.utf8)
        #expect(throws: PayloadError.self) { try JSONFields.read(gap, what: "a path").path() }
        let empty = Array(#"{"site":""}"#.utf8)
        #expect(throws: PayloadError.self) { try JSONFields.read(empty, what: "a path").path() }
    }

    @Test("Stored records keep their keys: a machine's path encodes as site, area, line and machine")
    func codable() throws {
        let data = try JSONEncoder().encode(machine)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(object == ["site": "leuven", "area": "fab", "line": "line-1", "machine": "laser-01"])
        #expect(try JSONDecoder().decode(PlantPath.self, from: data) == machine)
    }
}
