import Foundation

/// A TCP proxy on 127.0.0.1 whose TCP handshake is slow, as a remote broker's is: its one-slot accept
/// queue is kept full by filler connections for `hold`, so a client's SYN goes unanswered and its
/// `connect()` stays pending until the SYN is retransmitted (about 1 s). Then it forwards to `target`.
final class SlowConnectProxy: @unchecked Sendable {
    // @unchecked: the sockets are set in init and only closed in deinit; the threads only read them.
    let port: Int
    private let listener: Int32
    private let fillers: [Int32]

    init(target: Int, hold: Duration = .milliseconds(300)) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        guard Self.withSockaddr(&address, { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }) == 0,
              listen(listener, 0) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = Self.withSockaddr(&address) { getsockname(listener, $0, &length) }
        let port = Int(UInt16(bigEndian: address.sin_port))
        var fillers: [Int32] = []
        for blocking in [true, false] {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if !blocking { _ = fcntl(filler, F_SETFL, fcntl(filler, F_GETFL) | O_NONBLOCK) }
            var target = Self.loopback(port: port)
            _ = Self.withSockaddr(&target) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            fillers.append(filler)
        }
        self.port = port
        self.listener = listener
        self.fillers = fillers
        let fillerPorts = Set(fillers.map(Self.localPort))
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(hold.components.seconds) + Double(hold.components.attoseconds) / 1e18)
            while true {
                var peer = sockaddr_in()
                var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
                let client = Self.withSockaddr(&peer) { accept(listener, $0, &peerLength) }
                guard client >= 0 else { return }
                if fillerPorts.contains(Int(UInt16(bigEndian: peer.sin_port))) { continue }
                let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var destination = Self.loopback(port: target)
                guard Self.withSockaddr(&destination, { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }) == 0 else {
                    close(client)
                    continue
                }
                Thread.detachNewThread { Self.pipe(from: client, to: upstream) }
                Thread.detachNewThread { Self.pipe(from: upstream, to: client) }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        fillers.forEach { close($0) }
    }

    private static func pipe(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { write(destination, $0.baseAddress, count - sent) }
                guard written > 0 else { return }
                sent += written
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    private static func localPort(_ fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withSockaddr(&address) { getsockname(fd, $0, &length) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func withSockaddr<T>(_ address: inout sockaddr_in, _ body: (UnsafeMutablePointer<sockaddr>) -> T) -> T {
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
