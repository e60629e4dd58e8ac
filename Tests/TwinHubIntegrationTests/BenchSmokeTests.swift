import Foundation
import Testing

/// `twinhub bench --smoke`: every benchmark runs end to end on tiny sizes. Not a timed test: it checks that the
/// benchmarks work and report, never how fast anything is.
@Suite("twinhub bench (smoke)", .timeLimit(.minutes(3)))
struct BenchSmokeTests {
    @Test("--smoke runs every benchmark against private brokers and prints a row for each figure")
    func smoke() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-smoke-\(UUID().uuidString.prefix(8)).md")
        defer { try? FileManager.default.removeItem(at: output) }
        let bench = try ProcessRunner(["bench", "--smoke", "--write", output.path, "--twins", DemoTests.repository.appendingPathComponent("twins").path],
                                      workingDirectory: DemoTests.repository)
        #expect(try await bench.exitStatus(within: .seconds(170)) == 0, "\(bench.stderr)")
        let rows = bench.stdout.split(separator: "\n").map(String.init)
        for name in ["core", "ingest", "latency", "simulator", "memory"] {
            #expect(rows.contains { $0.hasPrefix(name + " ") }, "a row for \(name): \(bench.stdout)")
        }
        #expect(rows.contains { $0.hasPrefix("ingest") && $0.contains("lost") && $0.contains(" 0 ") }, "nothing lost at QoS 1: \(bench.stdout)")
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(written.contains("(smoke mode: sizes too small to mean much)"))
        #expect(written.contains("| ingest |") && written.contains("- **latency**:"))
    }
}
