import Foundation
import Testing
import TwinModel
@testable import TwinServiceCore

@Suite("Service metrics and alert counts")
struct ServiceMetricsTests {
    @Test("Metrics: messages, refusals, twins by connectivity, lag over the interval, the runtime's figures, alerts")
    func report() throws {
        var bench = CoreBench(storing: false)
        bench.status("m1", online: true, at: 0)
        _ = bench.handle(.machine(TwinServiceCore.MachineMessage(
            machine: CoreBench.path("m1"), channel: .telemetry,
            decoded: .success(.telemetry(.init(machine: "m1", kind: "oven", sample: TelemetrySample(
                time: at(1), sequence: 1, values: [.init(property: "temp", value: 75, unit: "°C")])))),
            topic: "t", payload: [], received: at(1), waited: .milliseconds(4))))
        bench.undecodable("m2", .malformedJSON, at: 1)
        _ = bench.handle(.machine(TwinServiceCore.MachineMessage(machine: CoreBench.path("m1"), channel: .status,
                                                                 decoded: .success(.ignored), topic: "t", payload: [], received: at(1),
                                                                 waited: .milliseconds(2))))
        let report = try #require(bench.tick(at: 5, metrics: true).metrics.first)
        #expect(report.messagesIn == 4)
        #expect(report.decodeErrors == ["malformed_json": 1])
        #expect(report.lagMean == .milliseconds(3) && report.lagMaximum == .milliseconds(4))
        #expect(report.dropped == 3 && report.heapBytes == 4096)
        #expect(report.connectivity[.online] == 1 && report.connectivity[.stale] == 0)
        #expect(report.openAlerts == 1 && report.alertEvents == 1)
        #expect(try #require(bench.tick(at: 10, metrics: true).metrics.first).lagMaximum == .zero, "a new interval")
    }

    @Test("Alert counts go out when alerts were published, with zeros once a line's last alert closed")
    func counts() {
        var bench = CoreBench(storing: false)
        let line = PlantPath(site: "site", area: "area", line: "line")
        let first = bench.tick(at: 0).publications.compactMap { if case .alertCounts(let path, _) = $0 { path } else { nil } }
        #expect(first.isEmpty, "nothing open yet (counts only for places with alerts)")
        bench.telemetry("m1", temp: 75, at: 1)
        let raised = bench.tick(at: 1).publications.compactMap { if case .alertCounts(let path, let counts) = $0, path == line { counts } else { nil } }
        #expect(raised.first?.active == 1)
        #expect(bench.tick(at: 1.5).publications.allSatisfy { if case .alertCounts = $0 { false } else { true } }, "unchanged: not again")
    }
}
