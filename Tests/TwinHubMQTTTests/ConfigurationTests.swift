import Testing
@testable import TwinHubMQTT

@Suite("Client configuration validation")
struct ConfigurationTests {
    func configuration(_ change: (inout ClientConfiguration) -> Void) throws -> ClientConfiguration {
        var configuration = try ClientConfiguration(url: "mqtt://localhost", clientID: "id")
        change(&configuration)
        return configuration
    }

    @Test("Defaults are valid")
    func defaults() throws {
        try ClientConfiguration(url: "mqtt://localhost").validate()
    }

    @Test("Contradictory or out-of-range options are refused with the reason", arguments: [
        ("keepalive", { @Sendable (c: inout ClientConfiguration) in c.keepalive = .seconds(2) }),
        ("client ID", { @Sendable (c: inout ClientConfiguration) in c.clientID = "" }),
        ("needs a client ID", { @Sendable (c: inout ClientConfiguration) in c.clientID = nil; c.session = .persistent(expiry: .seconds(5)) }),
        ("session expiry", { @Sendable (c: inout ClientConfiguration) in c.session = .persistent(expiry: .zero) }),
        ("connect timeout", { @Sendable (c: inout ClientConfiguration) in c.connectTimeout = .zero }),
        ("outgoing queue", { @Sendable (c: inout ClientConfiguration) in c.outgoingQueue.capacity = 0 }),
        ("maxInflight", { @Sendable (c: inout ClientConfiguration) in c.maxInflight = 0 }),
        ("reconnect policy", { @Sendable (c: inout ClientConfiguration) in c.reconnect.jitter = 2 }),
        ("both the certificate file and the key file", { @Sendable (c: inout ClientConfiguration) in c.tls.certificateFile = "/c.pem" }),
    ] as [(String, @Sendable (inout ClientConfiguration) -> Void)])
    func invalid(_ reason: String, _ change: @Sendable (inout ClientConfiguration) -> Void) throws {
        let configuration = try configuration(change)
        let error = #expect(throws: MQTTError.self) { try configuration.validate() }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test("A will with an invalid topic is refused")
    func invalidWill() throws {
        let configuration = try configuration { $0.will = .init(topic: "a/+", payload: []) }
        let error = #expect(throws: MQTTError.self) { try configuration.validate() }
        #expect(error?.code == .invalidTopic)
    }

    @Test("Publish requests validate topic and payload size")
    func publishRequest() throws {
        _ = try PublishRequest(topic: "ok", payload: [1, 2, 3])
        #expect(throws: MQTTError.self) { try PublishRequest(topic: "no/#", payload: []) }
        let error = #expect(throws: MQTTError.self) {
            try PublishRequest(topic: "ok", payload: [], properties: .init(contentType: "a\u{0}b"))
        }
        #expect(error?.code == .invalidPayload)
    }
}
