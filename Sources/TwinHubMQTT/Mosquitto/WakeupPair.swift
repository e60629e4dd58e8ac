import CTwinHubMosquitto
import Foundation

/// libmosquitto 2.0's wake-up socket pair, which this client has no use for.
///
/// `mosquitto_new` opens a Unix socket pair so that `mosquitto_loop` (a `select()` loop) can be woken from another
/// thread, and from then on every packet the library queues (each publish, each PUBACK) writes one byte to it. This
/// client drives the socket from its own epoll loop and never reads the pair: once its buffer is full, each of those
/// writes is a failing system call (`EAGAIN`), one per packet, and each client holds two descriptors for nothing
/// (20,000 for a fleet of 10,000 machines).
///
/// libmosquitto has no option to go without it, so ``close(in:)`` closes it through the library's own layout: the
/// client struct begins with its socket and then the pair (`sock, sockpairR, sockpairW` in `mosquitto_internal.h`), and
/// the library skips the pair wherever it is `INVALID_SOCKET`. It touches nothing unless everything checks out: the
/// socket word reads as no socket, like `mosquitto_socket` says, and the next two words are two Unix stream sockets
/// connected to each other (a byte written to one arrives at the other), in a 2.0 release of the library. Otherwise
/// the pair stays open and all works as before, a system call per packet slower.
enum WakeupPair {
    /// Closes the pair of a handle fresh from `mosquitto_new` (not connected yet) if it is found as described.
    /// - Returns: whether it was closed.
    static func close(in handle: OpaquePointer) -> Bool {
        // The layout is 2.0's: another version is left alone before anything is read as a descriptor or written to one.
        guard layoutKnown else { return false }
        let words = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: Int32.self)
        let socket = words[0], reading = words[1], writing = words[2]
        guard socket == -1, mosquitto_socket(handle) == -1, reading >= 0, writing >= 0, reading != writing,
              isUnixStream(reading), isUnixStream(writing), connected(from: writing, to: reading) else { return false }
        words[1] = -1
        words[2] = -1
        Glibc.close(reading)
        Glibc.close(writing)
        return true
    }

    /// Whether the loaded libmosquitto is a 2.0 release, whose client struct begins as described.
    static let layoutKnown: Bool = {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        mosquitto_lib_version(&major, &minor, &revision)
        return major == 2 && minor == 0
    }()

    /// The pair's descriptors as the handle holds them (-1 once closed). For tests.
    static func descriptors(of handle: OpaquePointer) -> (reading: Int32, writing: Int32) {
        let words = UnsafeRawPointer(handle).assumingMemoryBound(to: Int32.self)
        return (words[1], words[2])
    }

    private static func isUnixStream(_ fd: Int32) -> Bool {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        return option(SO_DOMAIN) == AF_UNIX && option(SO_TYPE) == Int32(SOCK_STREAM.rawValue)
    }

    /// Whether a byte written to `writing` can be read at once from `reading`, leaving both as they were.
    private static func connected(from writing: Int32, to reading: Int32) -> Bool {
        var probe: UInt8 = 0x5A
        guard send(writing, &probe, 1, Int32(MSG_DONTWAIT)) == 1 else { return false }
        var received: UInt8 = 0
        return recv(reading, &received, 1, Int32(MSG_DONTWAIT)) == 1 && received == probe
    }
}
