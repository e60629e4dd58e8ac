import Dispatch
import Testing

/// Runs a test that keeps a core busy for seconds (fuzzing, hours of simulation) on one thread of its own, shared by
/// every such test in turn, instead of on Swift's cooperative pool.
///
/// The pool has as many threads as cores (two here). Two of these tests on it left every other test's task waiting
/// for a thread for 40 s, and the end-to-end tests, whose deadlines are wall time, timed out waiting for events that
/// had long been sent. On their own thread they take one core at most and the pool keeps running.
public struct CPUBound: TestTrait, TestScoping {
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(CPUBoundExecutor.shared) {
            try await function()
        }
    }
}

extension Trait where Self == CPUBound {
    /// The test keeps a core busy: it runs on the thread of CPU-bound tests, one test's work at a time.
    public static var cpuBound: Self { CPUBound() }
}

/// One serial thread for every ``CPUBound`` test's work.
final class CPUBoundExecutor: TaskExecutor {
    static let shared = CPUBoundExecutor()
    private let queue = DispatchQueue(label: "twinhub.tests.cpu-bound")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
