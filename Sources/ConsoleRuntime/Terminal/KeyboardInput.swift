#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Console
import Dispatch
import Synchronization

/// Reads standard input with a dispatch read source, decodes it with a ``KeyDecoder`` and yields the keys.
/// A lone ESC (or a cut-off sequence) is flushed after 50 ms without input.
final class KeyboardInput: Sendable {
    /// How long input must pause before a pending ESC counts as the Escape key.
    static let escapeDelay = DispatchTimeInterval.milliseconds(50)

    private struct State {
        var decoder = KeyDecoder()
        /// Counts reads, so that a flush scheduled before the latest read does nothing.
        var reads = 0
    }

    /// Runs the read source's handler and the flushes, one at a time.
    private let queue = DispatchQueue(label: "TwinHub.Console.KeyboardInput")
    private let source = CancellableSource()
    private let state = Mutex(State())
    private let continuation: AsyncStream<Key>.Continuation

    /// Starts reading; the keys go to `continuation`, which is finished when standard input closes or
    /// `stop()` is called. Ending the stream stops the reading.
    init(yieldingTo continuation: AsyncStream<Key>.Continuation) {
        self.continuation = continuation
        continuation.onTermination = { [source] _ in source.cancel() }
        source.start { [queue] in
            let reader = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: queue)
            reader.setEventHandler { [weak self] in self?.readAvailable() }
            return reader
        }
    }

    /// Stops reading and ends the stream.
    func stop() {
        source.cancel()
        continuation.finish()
    }

    private func readAvailable() {
        // The source may report input that is gone by now; a read that blocked would stall this queue, so
        // look first. POLLHUP (the terminal went away) is worth a read too: it returns 0.
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(STDIN_FILENO, &buffer, buffer.count)
        guard count > 0 else {
            if count == 0 || (errno != EINTR && errno != EAGAIN) { stop() }
            return
        }
        let (keys, flushAfter) = state.withLock { state in
            state.reads &+= 1
            return (state.decoder.feed(Array(buffer[..<count])), state.decoder.hasPending ? state.reads : nil)
        }
        keys.forEach { continuation.yield($0) }
        if let flushAfter {
            queue.asyncAfter(deadline: .now() + Self.escapeDelay) { [self] in flush(ifStill: flushAfter) }
        }
    }

    /// Gives what the decoder holds as keys, unless more input has been read since read number `reads`.
    private func flush(ifStill reads: Int) {
        let keys = state.withLock { state in
            state.reads == reads ? state.decoder.flush() : []
        }
        keys.forEach { continuation.yield($0) }
    }
}
