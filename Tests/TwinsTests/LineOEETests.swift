import Testing
import Twins
import TwinModel

/// A line's OEE against its machines' over the same window (issue 22, finding 8: a line showed 98 % while both its
/// machines showed 94 %).
@Suite("A line's OEE and its machines'")
struct LineOEETests {
    /// An hour planned: `running` seconds running, the rest in fault, `parts` made at `cycle` seconds each.
    static func tally(running: Double, parts: Int, scrap: Int, cycle: Double) -> ProductionTally {
        var tally = ProductionTally()
        tally.add(seconds: running, in: .running)
        tally.add(seconds: 3600 - running, in: .fault)
        tally.total = parts
        tally.good = parts - scrap
        tally.scrap = scrap
        tally.idealSeconds = Double(parts) * cycle
        return tally
    }

    static func line(_ machines: [ProductionTally]) -> OEE {
        var line = TwinStore.Aggregate()
        for machine in machines { line.add(shift: machine, window: machine) }
        #expect(line.machines == machines.count)
        #expect(line.shift == line.window)
        return line.window.oee
    }

    @Test("Two machines at 94 % by different losses make a line at 94 %")
    func sameOEE() throws {
        // One loses time to a fault (availability 94 %), the other to scrap (quality 94 %).
        let faulted = Self.tally(running: 3384, parts: 47, scrap: 0, cycle: 72)
        let scrapping = Self.tally(running: 3600, parts: 50, scrap: 3, cycle: 72)
        for machine in [faulted, scrapping] { #expect(abs(try #require(machine.oee.value) - 0.94) < 1e-9) }
        let line = try #require(Self.line([faulted, scrapping]).value)
        #expect(abs(line - 0.94) < 1e-9, "the line shows its machines' 94 %, not \(line)")
    }

    @Test("A machine faster than its ideal cycle cannot hide another's slowness: the line lies between its machines")
    func between() throws {
        // Performance is at most 100 % per machine: 120 % of one does not make up for 80 % of the other.
        let fast = Self.tally(running: 3600, parts: 60, scrap: 0, cycle: 72)
        let slow = Self.tally(running: 3600, parts: 40, scrap: 0, cycle: 72)
        let oees = try [fast, slow].map { try #require($0.oee.value) }
        #expect(oees == [1, 0.8])
        let line = Self.line([fast, slow])
        #expect(try #require(line.value) == 0.9, "the mean of 100 % and 80 %")
        #expect(line.performance == 0.9 && line.availability == 1 && line.quality == 1)
    }

    @Test("The line's OEE is its machines' weighted by planned time; a machine with nothing made counts as loss")
    func weighted() throws {
        let running = Self.tally(running: 3600, parts: 50, scrap: 5, cycle: 72)  // 90 %
        var idle = ProductionTally()
        idle.add(seconds: 3600, in: .starved)  // planned, nothing made: 0 %
        let line = Self.line([running, idle])
        #expect(abs(try #require(line.value) - 0.45) < 1e-9)
        #expect(line.quality == 0.9 && line.availability == 0.5 && line.performance == 1)
        #expect(Self.line([]).value == nil && Self.line([]).availability == nil)
    }
}
