import Testing
@testable import TwinHubMQTT

@Suite("Broker URLs")
struct BrokerURLTests {
    @Test("Plain, TLS, credentials, IPv6 and default ports parse")
    func parses() throws {
        let plain = try BrokerURL(parsing: "mqtt://localhost")
        #expect(plain == BrokerURL(host: "localhost", port: 1883, usesTLS: false))
        let tls = try BrokerURL(parsing: "mqtts://broker.example.com")
        #expect(tls.port == 8883 && tls.usesTLS)
        let full = try BrokerURL(parsing: "mqtt://alice:s%40cret%3A1@10.0.0.5:1884/")
        #expect(full == BrokerURL(host: "10.0.0.5", port: 1884, usesTLS: false, username: "alice", password: "s@cret:1"))
        let userOnly = try BrokerURL(parsing: "mqtt://bob@host")
        #expect(userOnly.username == "bob" && userOnly.password == nil)
        let ipv6 = try BrokerURL(parsing: "mqtt://[::1]:1999")
        #expect(ipv6.host == "::1" && ipv6.port == 1999)
        #expect(ipv6.endpoint == "[::1]:1999")
    }

    @Test("The description hides the password")
    func hidesPassword() throws {
        let url = try BrokerURL(parsing: "mqtt://alice:secret@host:1")
        #expect(url.description == "mqtt://alice:***@host:1")
        #expect(!url.description.contains("secret"))
    }

    @Test("Malformed URLs fail with the reason", arguments: [
        ("localhost", "expected mqtt://"), ("http://x", "unknown scheme 'http'"), ("mqtt://", "host is empty"),
        ("mqtt://h:0", "port '0'"), ("mqtt://h:65536", "port '65536'"), ("mqtt://h:x", "port 'x'"),
        ("mqtt://h/p", "no path"), ("mqtt://[::1", "unclosed '['"), ("mqtt://:pw@h", "user name is empty"),
        ("mqtt://u:%zz@h", "password is badly percent-encoded"), ("mqtt://a b", "characters a host cannot have"),
    ])
    func rejects(_ text: String, _ reason: String) {
        let error = #expect(throws: MQTTError.self) { try BrokerURL(parsing: text) }
        #expect(error?.code == .invalidURL)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }
}
