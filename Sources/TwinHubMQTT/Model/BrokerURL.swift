/// Where a broker is and how to reach it, parsed from `mqtt://[user:pass@]host[:port]` or `mqtts://…`.
///
/// Parsing is pure: an invalid URL fails here, with the reason, before anything touches the network.
/// User and password may be percent-encoded. IPv6 hosts are written in brackets: `mqtt://[::1]:1883`.
public struct BrokerURL: Sendable, Hashable, CustomStringConvertible {
    /// The default port of `mqtt://`.
    public static let defaultPort = 1883
    /// The default port of `mqtts://`.
    public static let defaultTLSPort = 8883

    /// Host name or address, without brackets.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Whether the connection uses TLS (`mqtts://`).
    public var usesTLS: Bool
    /// User name, if the URL carries one.
    public var username: String?
    /// Password, if the URL carries one.
    public var password: String?

    public init(host: String, port: Int? = nil, usesTLS: Bool = false, username: String? = nil, password: String? = nil) {
        self.host = host
        self.usesTLS = usesTLS
        self.port = port ?? (usesTLS ? Self.defaultTLSPort : Self.defaultPort)
        self.username = username
        self.password = password
    }

    /// Parses a broker URL.
    /// - Throws: ``MQTTError`` with code ``MQTTError/Code/invalidURL`` naming the problem.
    public init(parsing text: String) throws(MQTTError) {
        func invalid(_ why: String) -> MQTTError { MQTTError(.invalidURL, "'\(text)': \(why)") }

        guard let schemeEnd = text.range(of: "://") else {
            throw invalid("expected mqtt://host[:port] or mqtts://host[:port]")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let usesTLS: Bool
        switch scheme {
        case "mqtt", "tcp": usesTLS = false
        case "mqtts", "ssl", "tls": usesTLS = true
        default: throw invalid("unknown scheme '\(scheme)', expected mqtt or mqtts")
        }
        var rest = text[schemeEnd.upperBound...]
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...].allSatisfy({ $0 == "/" }) else {
                throw invalid("a broker URL has no path")
            }
            rest = rest[..<slash]
        }

        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = Self.percentDecoded(parts[0]), !user.isEmpty else {
                throw invalid("the user name is empty or badly percent-encoded")
            }
            username = user
            if parts.count == 2 {
                guard let pass = Self.percentDecoded(parts[1]) else {
                    throw invalid("the password is badly percent-encoded")
                }
                password = pass
            }
        }

        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("unclosed '[' in IPv6 host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after ']'") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw invalid("the host is empty") }
        if host.contains(where: { $0 == " " || $0 == "@" || $0 == "[" || $0 == "]" }) {
            throw invalid("the host '\(host)' contains characters a host cannot have")
        }
        var port: Int?
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw invalid("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        }
        self.init(host: String(host), port: port, usesTLS: usesTLS, username: username, password: password)
    }

    /// The URL without its password, safe to log.
    public var description: String {
        let user = username.map { "\($0)\(password == nil ? "" : ":***")@" } ?? ""
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "mqtts" : "mqtt")://\(user)\(shownHost):\(port)"
    }

    /// `host:port`, for error messages.
    public var endpoint: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
