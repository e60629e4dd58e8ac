import Foundation
import Synchronization

/// Runs the built `twinhub` executable with pipes, for end-to-end tests of the CLI.
final class ProcessRunner: Sendable {
    /// `twinhub` next to the test bundle in the build folder.
    static var twinhub: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
        var folder = bundle.deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("twinhub").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("twinhub")
    }

    private let process: Process
    private let output = CapturedOutput()
    private let stderrLines: AsyncStream<String>
    /// Standard output, line by line (one reader).
    let stdoutLines: AsyncStream<String>
    private let exited: AsyncStream<Int32>
    /// Finishes once both pipes reached end of file: everything the process wrote has been captured.
    private let drained: AsyncStream<Never>

    /// - Parameter environment: variables set for the process on top of this one's.
    init(_ arguments: [String], stdin: String? = nil, workingDirectory: URL? = nil, environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = Self.twinhub
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, set in set } }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let (lines, lineSink) = AsyncStream.makeStream(of: String.self)
        let (exited, exitSink) = AsyncStream.makeStream(of: Int32.self)
        let (outLines, outSink) = AsyncStream.makeStream(of: String.self)
        let (drained, drainedSink) = AsyncStream.makeStream(of: Never.self)
        stdoutLines = outLines
        stderrLines = lines
        self.exited = exited
        self.drained = drained
        self.process = process
        let output = output
        // Pipes not yet at their end. The process may exit before their last writes are read: a pipe is done at its
        // end of file, not at the process's exit.
        let openPipes = Mutex(2)
        @Sendable func reachedEnd() {
            if openPipes.withLock({ $0 -= 1; return $0 == 0 }) { drainedSink.finish() }
        }
        Self.read(out.fileHandleForReading, name: "stdout") { data in
            let text = String(decoding: data, as: UTF8.self)
            // Whole lines only: a read can end mid-line.
            let complete = output.text.withLock { captured -> [Substring] in
                captured.stdout += text
                captured.partial += text
                guard let end = captured.partial.lastIndex(of: "\n") else { return [] }
                defer { captured.partial = String(captured.partial[captured.partial.index(after: end)...]) }
                return captured.partial[..<end].split(separator: "\n", omittingEmptySubsequences: false)
            }
            for line in complete { outSink.yield(String(line)) }
        } atEnd: {
            outSink.finish()
            reachedEnd()
        }
        Self.read(err.fileHandleForReading, name: "stderr") { data in
            let text = String(decoding: data, as: UTF8.self)
            output.text.withLock { $0.stderr += text }
            for line in text.split(separator: "\n") { lineSink.yield(String(line)) }
        } atEnd: {
            lineSink.finish()
            reachedEnd()
        }
        process.terminationHandler = { process in
            exitSink.yield(process.terminationStatus)
            exitSink.finish()
        }
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
    }

    /// Reads `handle` on a thread of its own until its end of file, handing each chunk read to `received`.
    ///
    /// Blocking reads, not `readabilityHandler`: with several processes run at once, the test process crashed now and
    /// then in libdispatch (`_dispatch_event_loop_drain`, a bad pointer) once processes had ended, as when a pipe's
    /// descriptor is closed (its handle freed) before the handler's read source is unregistered and the number is
    /// reused. A thread that holds the handle until the end of file never leaves a source behind.
    private static func read(_ handle: FileHandle, name: String, _ received: @escaping @Sendable (Data) -> Void,
                             atEnd: @escaping @Sendable () -> Void) {
        let thread = Thread {
            while case let data = handle.availableData, !data.isEmpty { received(data) }
            atEnd()
        }
        thread.name = "process-runner-\(name)"
        thread.start()
    }

    var stdout: String { output.text.withLock { $0.stdout } }
    var stderr: String { output.text.withLock { $0.stderr } }
    var processID: Int32 { process.processIdentifier }

    /// Waits for a line on standard error containing `text`.
    func awaitStderr(containing text: String) async throws {
        let lines = stderrLines
        try await within(.seconds(15), "'\(text)' on stderr") {
            for await line in lines where line.contains(text) { return }
            throw TimedOut(what: "'\(text)' on stderr (the process ended)")
        }
    }

    /// Waits for the process to exit and returns its status.
    func exitStatus(within limit: Duration = .seconds(30)) async throws -> Int32 {
        let exited = exited
        let status = try await within(limit, "twinhub to exit") {
            for await status in exited { return status }
            return -1
        }
        process.waitUntilExit()
        // Let the pipes drain what the process wrote just before it exited. Bounded: a child of the process may
        // still hold them open.
        let drained = drained
        _ = try? await within(.seconds(5), "the output of twinhub") {
            for await _ in drained {}
        }
        return status
    }

    func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// What a process wrote, shared with the pipes' reading threads.
private final class CapturedOutput: Sendable {
    let text = Mutex((stdout: "", stderr: "", partial: ""))
}
