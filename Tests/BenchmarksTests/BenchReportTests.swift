import Foundation
import Testing
@testable import Benchmarks

@Suite("Benchmark reports and BENCHMARKS.md")
struct BenchReportTests {
    static func report() -> BenchReport {
        var report = BenchReport(command: "twinhub bench", machine: "a test machine", date: Date(timeIntervalSince1970: 1_800_000_000), smoke: false)
        report.figures = [
            BenchFigure(benchmark: "ingest", measure: "twin service drain", value: "48,210 msg/s", peer: "mosquitto_sub 50,000 msg/s",
                        ratio: 0.9642, target: "ratio ≥ 0.95", met: true),
            BenchFigure(benchmark: "latency", measure: "p99 at 10k msg/s", value: "12.5 ms", target: "< 10 ms", met: false),
        ]
        report.methods = [("ingest", "how it was measured")]
        return report
    }

    @Test("The table aligns its columns and says which targets were met or missed")
    func table() {
        let lines = Self.report().table().split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("benchmark  measure"))
        #expect(lines[2].contains("0.96") && lines[2].hasSuffix("met"))
        #expect(lines[3].hasSuffix("MISSED"))
        let valueColumn = lines[0].range(of: "value")!.lowerBound.utf16Offset(in: lines[0])
        #expect(lines[2].dropFirst(valueColumn).hasPrefix("48,210"), "columns line up: \(lines)")
    }

    @Test("The Markdown names the date, command and machine, and escapes nothing it needs not")
    func markdown() {
        let text = Self.report().markdown()
        #expect(text.hasPrefix("Run 2027-01-15 08:00 UTC with `twinhub bench`\non a test machine."))
        #expect(text.contains("| ingest | twin service drain | 48,210 msg/s | mosquitto_sub 50,000 msg/s | 0.96 | ratio ≥ 0.95 | met |"))
        #expect(text.contains("| **missed** |"))
        #expect(text.hasSuffix("- **ingest**: how it was measured"))
    }

    @Test("BENCHMARKS.md keeps its hand-written text; the run between the markers is replaced, or appended once")
    func document() {
        let first = BenchmarksDocument.replacingLatestRun(in: "# Benchmarks\n\nIntro.\n", with: "run 1")
        #expect(first == "# Benchmarks\n\nIntro.\n\n\(BenchmarksDocument.begin)\nrun 1\n\(BenchmarksDocument.end)\n")
        let second = BenchmarksDocument.replacingLatestRun(in: first + "\nNotes after.\n", with: "run 2")
        #expect(second == "# Benchmarks\n\nIntro.\n\n\(BenchmarksDocument.begin)\nrun 2\n\(BenchmarksDocument.end)\n\nNotes after.\n")
    }

    @Test("Numbers: thousands grouped, milliseconds from microseconds, MiB")
    func numbers() {
        #expect(BenchNumber.grouped(48_210.4) == "48,210")
        #expect(BenchNumber.grouped(999) == "999")
        #expect(BenchNumber.grouped(1_000_000) == "1,000,000")
        #expect(BenchNumber.milliseconds(microseconds: 3_421) == "3.42")
        #expect(BenchNumber.milliseconds(microseconds: 45_600) == "45.6")
        #expect(BenchNumber.mebibytes(91_750_400) == "87.5")
    }
}
