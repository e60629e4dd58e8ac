import Foundation
import Testing
import TwinModel
@testable import TwinServiceCore

@Suite("Commands for desired states")
struct CommandRetryTests {
    /// A machine online and running, then asked to stop at 10 s.
    static func asked() -> (CoreBench, [TwinServiceCore.Action]) {
        var bench = CoreBench(storing: false)
        bench.status("m1", online: true, at: 0)
        bench.state("m1", .running, at: 0)
        let actions = bench.desired("m1", .stopped, at: 10)
        return (bench, actions)
    }

    @Test("A desired state sends its command at once, then again every 5 s while the machine has not reported it")
    func retries() {
        var (bench, actions) = Self.asked()
        #expect(actions.commands == ["m1 stop"])
        #expect(actions.logLines == ["sending stop to site/area/line/m1 for its desired state"])
        var sent: [Double] = []
        for quarter in 1...60 {
            let time = 10 + Double(quarter) / 4
            if quarter % 4 == 0 { bench.telemetry("m1", temp: 20, at: time) }  // heard, so never stale
            if !bench.tick(at: time).commands.isEmpty { sent.append(time) }
        }
        #expect(sent == [15, 20, 25])
    }

    @Test("Only while online: an offline machine gets none, and gets it once it is back")
    func onlyOnline() {
        var (bench, _) = Self.asked()
        bench.status("m1", online: false, at: 11)
        #expect((12...30).flatMap { bench.tick(at: Double($0)).commands }.isEmpty)
        bench.status("m1", online: true, at: 31)
        #expect(bench.tick(at: 31).commands == ["m1 stop"])
        #expect(bench.tick(at: 32).commands.isEmpty)
    }

    @Test("Once the machine reports the desired state, no more commands")
    func stopsWhenReported() {
        var (bench, _) = Self.asked()
        bench.state("m1", .stopped, at: 12)
        #expect((13...40).flatMap { bench.tick(at: Double($0)).commands }.isEmpty)
        #expect(bench.core.commands.pending.isEmpty)
    }
}
