import ArgumentParser
import Benchmarks
import Foundation
import Logging
import TwinModel

/// `twinhub bench`: throughput, latency and scale, side by side with the broker's own tools.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the core's cost per message, ingest, alert latency, the simulator and memory on private brokers; print a table and update BENCHMARKS.md.",
        discussion: """
            core needs no broker: the pure parts' CPU per message (and per stored twin) on one thread, the place to
            profile them. Every other benchmark starts its own mosquitto on a free loopback port. Where the broker's own tools can do the same
            work in the same run (mosquitto_sub, mosquitto_pub -l), the figure is also given as a ratio against them:
            on a noisy machine ratios hold better than absolute figures. Build in release first:
              swift build -c release && .build/release/twinhub bench
              .build/release/twinhub bench --only ingest,latency
              .build/release/twinhub bench --smoke          # a few seconds; what CI runs
            Writes the run into BENCHMARKS.md between its markers (not in --smoke mode unless --write is given).
            """
    )

    @Flag(help: "A few seconds with tiny sizes: checks that every benchmark runs, measures little.")
    var smoke = false

    @Option(help: ArgumentHelp("Benchmarks to run, comma-separated: core, ingest, latency, simulator, memory, web.", valueName: "list"))
    var only: String?

    @Option(help: ArgumentHelp("The file to write the run into (default BENCHMARKS.md; not in --smoke mode).", valueName: "path"))
    var write: String?

    @Flag(help: "Print only; write no file.")
    var noWrite = false

    @Option(help: ModelFiles.twinsHelp)
    var twins: String?

    @Option(help: "How much to log on standard error.")
    var logLevel: LogLevelArgument = .init(level: .error)

    static let names = ["core", "ingest", "latency", "simulator", "memory", "web", "sparkplug"]

    func validate() throws {
        if let only {
            for name in only.split(separator: ",") where !Self.names.contains(String(name)) {
                throw ValidationError("unknown benchmark '\(name)' (known: \(Self.names.joined(separator: ", ")))")
            }
        }
    }

    func run() async throws {
        let logger = GlobalOptions.bootstrapLogging(level: logLevel.level)
        let kinds = try ModelFiles.kinds(overriddenBy: twins)
        let fleet = try ModelFiles.scenario("scale_10k", kinds: kinds)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("twinhub-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileLimits.ensure(machines: 0)
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let context = BenchContext(kinds: kinds, fleet: fleet, folder: folder, twinhub: executable, logger: logger,
                                   progress: { FileHandle.standardError.write(Data("twinhub bench: \($0)\n".utf8)) })
        let selected = only.map { $0.split(separator: ",").map(String.init) } ?? Self.names
        let plan = smoke ? BenchPlan.smoke : BenchPlan.full
        var report = BenchReport(command: (["twinhub"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                                 machine: MachineDescription.current(), date: Date(), smoke: smoke)
        try await CommandLifecycle.run(logger: logger) {
            try await plan.run(selected, context: context)
        }.forEach { result in
            report.figures += result.figures
            report.methods.append((result.name, result.method))
        }
        Output.line(report.table())
        guard !noWrite, !smoke || write != nil else { return }
        let path = write ?? "BENCHMARKS.md"
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n"
        try BenchmarksDocument.replacingLatestRun(in: existing, with: report.markdown()).write(toFile: path, atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("twinhub bench: wrote \(path)\n".utf8))
    }
}
