import Foundation
import Testing
import TwinHubBroker
@testable import TwinHubMQTT

@Suite("Connections: failures, credentials, TLS, reconnection", .timeLimit(.minutes(1)))
struct ConnectionTests {
    @Test("A wrong password gives a clear authentication error", arguments: [ProtocolVersion.v5, .v311])
    func wrongPassword(version: ProtocolVersion) async throws {
        try await MosquittoBroker.withBroker(.init(users: ["alice": "secret"])) { broker in
            let url = "mqtt://alice:wrong@127.0.0.1:\(broker.port)"
            let client = try MQTTClient(testing: try clientConfiguration(url, version: version))
            let error = try await #require(throws: MQTTError.self) { try await client.connect() }
            #expect(error.code == .notAuthorized)
            #expect(error.reason.contains("refused the connection"))
            #expect(error.host == "127.0.0.1:\(broker.port)")
            #expect(client.state.isClosed)

            let good = try await connectedClient("mqtt://alice:secret@127.0.0.1:\(broker.port)", version: version)
            #expect(good.state.isConnected)
            await good.disconnect()
        }
    }

    @Test("A refused port fails fast with the system's reason")
    func refusedPort() async throws {
        let port = try await MosquittoBroker.withBroker { $0.port }  // now closed: nothing listens there
        let client = try MQTTClient(testing: try clientConfiguration("mqtt://127.0.0.1:\(port)"))
        let started = ContinuousClock.now
        let error = try await #require(throws: MQTTError.self) { try await client.connect() }
        #expect(error.code == .connectFailed)
        #expect(error.reason.contains("Connection refused"))
        #expect(error.host == "127.0.0.1:\(port)")
        #expect(ContinuousClock.now - started < .seconds(5), "a refused port must not wait for the connect timeout")
    }

    @Test("An unreachable host fails within the connect timeout")
    func unreachableHost() async throws {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed. Depending on the machine's routes the attempt
        // fails at once (no route) or hangs until the connect timeout; both must end in a clear error.
        var configuration = try clientConfiguration("mqtt://192.0.2.1:1883")
        configuration.connectTimeout = .seconds(2)
        let client = try MQTTClient(testing: configuration)
        let error = try await within(.seconds(10), "the connect failure") {
            try await #require(throws: MQTTError.self) { try await client.connect() }
        }
        #expect(error.code == .connectFailed || error.code == .timedOut)
        #expect(error.host == "192.0.2.1:1883")
    }

    @Test("Invalid URLs, topics and options fail before any network")
    func invalidInput() async throws {
        for url in ["localhost:1883", "http://localhost", "mqtt://", "mqtt://host:99999", "mqtt://host:port", "mqtt://host/path"] {
            let error = try #require(throws: MQTTError.self) { try ClientConfiguration(url: url) }
            #expect(error.code == .invalidURL, "\(url)")
        }
        // Port 9 (discard) on a host that does not exist: any network use would fail differently.
        let client = try MQTTClient(testing: try ClientConfiguration(url: "mqtt://no-such-host.invalid:9"))
        for topic in ["", "a/+/b", "a/#", "nul\u{0}byte"] {
            let error = try await #require(throws: MQTTError.self) { try await client.publish(to: topic, string: "x") }
            #expect(error.code == .invalidTopic, "\(topic.debugDescription)")
        }
        for filter in ["a/#/b", "a+/b", "$share//x", "$share/g"] {
            let error = try await #require(throws: MQTTError.self) { try await client.subscribe(to: [filter]) }
            #expect(error.code == .invalidFilter, "\(filter)")
        }
        #expect(client.state == .idle, "validation must not start a connection")
        var noID = try ClientConfiguration(url: "mqtt://localhost")
        noID.session = .persistent(expiry: .seconds(60))
        #expect(throws: MQTTError.self) { try MQTTClient(testing: noID) }
    }

    @Test("After a broker restart the client reconnects, restores subscriptions and messages flow", arguments: [ProtocolVersion.v5, .v311])
    func reconnectAfterBrokerRestart(version: ProtocolVersion) async throws {
        try await MosquittoBroker.withBroker { broker in
            let client = try await connectedClient(broker.url, version: version)
            let messages = try await client.subscribe(to: ["line/1/#"], qos: .atLeastOnce)
            let updates = client.stateUpdates()

            await broker.kill()
            try await awaitState(client, "reconnecting") {
                if case .reconnecting = $0 { return true }
                return false
            }
            // Let a few attempts fail against the dead port before the broker returns.
            try await awaitState(client, "a second attempt") { if case .reconnecting(let attempt, _, _) = $0 { attempt >= 3 } else { false } }
            try await broker.restart()
            try await awaitState(client, "connected again") { $0.isConnected }
            #expect(client.statistics.reconnects == 1)
            #expect(client.statistics.takeovers == 0, "a broker that was away took nothing over")

            let publisher = try await connectedClient(broker.url)
            try await publisher.publish(to: "line/1/press", string: "after restart", qos: .atLeastOnce)
            let received = try await messages.next()
            #expect(received.first?.payloadString == "after restart")

            var seen: [String] = []
            var reasons: [MQTTError.Code] = []
            for await state in updates {
                switch state {
                case .connected: seen.append("connected")
                case .reconnecting(_, _, let error):
                    seen.append("reconnecting")
                    reasons.append(error.code)
                default: seen.append("\(state)")
                }
                if seen.count >= 2 && seen.last == "connected" { break }
            }
            #expect(seen.first == "connected")
            #expect(seen.contains("reconnecting"))
            #expect(!reasons.contains(.timedOut), "every attempt is watched: a refused one fails at once, none waits out the timeout (\(reasons))")
            await publisher.disconnect()
            await client.disconnect()
        }
    }

    @Test("Publishes made while disconnected wait in the bounded queue; overflow is counted")
    func boundedOfflineQueue() async throws {
        try await MosquittoBroker.withBroker { broker in
            var configuration = try clientConfiguration(broker.url)
            configuration.outgoingQueue = .init(capacity: 5, whenFull: .dropOldest)
            let client = try MQTTClient(testing: configuration)
            for index in 1...20 {
                try client.send(try PublishRequest(topic: "queue/test", payload: Array("\(index)".utf8)))
            }
            #expect(client.queuedCount == 5)
            #expect(client.statistics.publishDropped == 15)
            #expect(client.statistics.published == 0)

            let observer = try await connectedClient(broker.url)
            let messages = try await observer.subscribe(to: ["queue/test"])
            try await client.connect()
            try await client.publish(to: "queue/test", string: "end", qos: .atLeastOnce)
            let payloads = try await messages.next(6).map { $0.payloadString ?? "" }
            #expect(payloads == ["16", "17", "18", "19", "20", "end"])
            #expect(client.queuedCount == 0)
            await observer.disconnect()
            await client.disconnect()
        }
    }

    @Test("While the broker is down publishes queue up, and flow once it is back")
    func queueAcrossBrokerRestart() async throws {
        try await MosquittoBroker.withBroker { broker in
            let client = try await connectedClient(broker.url)
            await broker.kill()
            try await awaitState(client, "reconnecting") { if case .reconnecting = $0 { true } else { false } }
            let delivered = Task { try await client.publish(to: "queued/while/down", string: "late", qos: .atLeastOnce) }
            try await within(.seconds(5), "the publish to wait in the queue") {
                while client.queuedCount == 0 { await Task.yield() }
            }
            try await broker.restart()
            try await within(.seconds(15), "the queued publish to be acknowledged") { try await delivered.value }
            #expect(client.statistics.published == 1)
            await client.disconnect()
        }
    }

    @Test("A full queue under .dropNewest refuses the new publish with .dropped")
    func dropNewestPolicy() async throws {
        var configuration = try clientConfiguration("mqtt://127.0.0.1:9")
        configuration.outgoingQueue = .init(capacity: 2, whenFull: .dropNewest)
        let client = try MQTTClient(testing: configuration)  // never connected: everything waits in the queue
        let first = Task { try await client.publish(to: "a", string: "1", qos: .atLeastOnce) }
        let second = Task { try await client.publish(to: "a", string: "2", qos: .atLeastOnce) }
        try await within(.seconds(5), "two queued publishes") {
            while client.queuedCount < 2 { await Task.yield() }
        }
        let error = try await #require(throws: MQTTError.self) { try await client.publish(to: "a", string: "3", qos: .atLeastOnce) }
        #expect(error.code == .dropped)
        #expect(client.statistics.publishDropped == 1)
        await client.disconnect()
        for task in [first, second] {
            let closed = try await #require(throws: MQTTError.self) { try await task.value }
            #expect(closed.code == .closed)
        }
    }

    @Test("TLS works when the TCP connect does not complete at once, as with a remote broker")
    func tlsOverSlowConnect() async throws {
        try await MosquittoBroker.withBroker(.init(tls: .init())) { broker in
            let proxy = try SlowConnectProxy(target: try #require(broker.tlsPort))
            var configuration = try clientConfiguration("mqtts://localhost:\(proxy.port)")
            configuration.tls = .init(caFile: try #require(broker.certificates).caCertificate.path)
            configuration.connectTimeout = .seconds(8)
            let client = try MQTTClient(testing: configuration)
            try await client.connect()
            let messages = try await client.subscribe(to: ["slow/#"])
            try await client.publish(to: "slow/tls", string: "through", qos: .atLeastOnce)
            #expect(try await messages.next().first?.payloadString == "through")
            await client.disconnect()
            withExtendedLifetime(proxy) {}
        }
    }

    @Test("A subscribe whose SUBACK is lost with the connection returns, and the subscription is restored")
    func subscribeAcrossConnectionLoss() async throws {
        try await MosquittoBroker.withBroker { broker in
            let client = try await connectedClient(broker.url)
            let pid = try #require(broker.processID)
            kill(pid, SIGSTOP)  // the broker stops answering: the SUBACK cannot come
            let pending = Task { try await client.subscribe(to: ["lost/#"], qos: .atLeastOnce) }
            try await within(.seconds(5), "the SUBSCRIBE to be sent") {
                while await !client.core.hasPendingSubscribe { await Task.yield() }
            }
            kill(pid, SIGCONT)
            await broker.kill()
            try await broker.restart()
            let messages = try await within(.seconds(15), "subscribe to return after the reconnect") { try await pending.value }
            try await awaitState(client, "connected again") { $0.isConnected }
            let publisher = try await connectedClient(broker.url)
            try await publisher.publish(to: "lost/found", string: "restored", qos: .atLeastOnce)
            #expect(try await messages.next().first?.payloadString == "restored")
            await publisher.disconnect()
            await client.disconnect()
        }
    }

    @Test("TLS with the test CA works; a client certificate is required when the broker asks for one")
    func tls() async throws {
        try await MosquittoBroker.withBroker(.init(tls: .init(requireClientCertificate: true))) { broker in
            let certificates = try #require(broker.certificates)
            var configuration = try clientConfiguration(try #require(broker.tlsURL))
            configuration.tls = .init(caFile: certificates.caCertificate.path, certificateFile: certificates.clientCertificate.path, keyFile: certificates.clientKey.path)
            let client = try MQTTClient(testing: configuration)
            try await client.connect()
            let messages = try await client.subscribe(to: ["secure/#"])
            try await client.publish(to: "secure/hello", string: "over TLS", qos: .atLeastOnce)
            #expect(try await messages.next().first?.payloadString == "over TLS")
            await client.disconnect()

            var noClientCertificate = configuration
            noClientCertificate.tls = .init(caFile: certificates.caCertificate.path)
            let refused = try MQTTClient(testing: noClientCertificate)
            let error = try await #require(throws: MQTTError.self) { try await refused.connect() }
            // TLS 1.3 refuses after the client's handshake: OpenSSL's alert, or a bare error with a hint.
            #expect(error.code == .tls || error.code == .connectFailed, "\(error)")
            #expect(error.reason.contains("certificate"), "the reason names the certificate: \(error)")

            // A client certificate from another CA: the broker refuses it, and the reason says so.
            let foreignFolder = FileManager.default.temporaryDirectory.appendingPathComponent("foreign-ca-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: foreignFolder) }
            let foreign = try TestCertificates.generate(in: foreignFolder)
            var foreignClient = configuration
            foreignClient.tls = .init(caFile: certificates.caCertificate.path, certificateFile: foreign.clientCertificate.path, keyFile: foreign.clientKey.path)
            let stranger = try MQTTClient(testing: foreignClient)
            let strangerError = try await #require(throws: MQTTError.self) { try await stranger.connect() }
            // Depending on timing the library reports OpenSSL's alert or only a protocol error: either way the reason says why.
            #expect(strangerError.reason.contains("the broker does not trust the CA that signed the client certificate")
                    || strangerError.reason.contains("did the broker refuse the client certificate?"), "\(strangerError)")

            var systemStore = configuration
            systemStore.tls = .init()  // the OS store does not trust the test CA
            let untrusted = try MQTTClient(testing: systemStore)
            let untrustedError = try await #require(throws: MQTTError.self) { try await untrusted.connect() }
            #expect(untrustedError.code == .tls, "\(untrustedError)")

            var missingCA = configuration
            missingCA.tls.caFile = "/nonexistent/ca.crt"
            let missing = try MQTTClient(testing: missingCA)
            let missingError = try await #require(throws: MQTTError.self) { try await missing.connect() }
            #expect(missingError.code == .tls)
            #expect(missingError.reason.contains("/nonexistent/ca.crt"))
        }
    }

    @Test("A client whose ID another client takes reports the takeover (counted, logged), not only a lost connection",
          arguments: [ProtocolVersion.v5, .v311])
    func takeover(version: ProtocolVersion) async throws {
        try await MosquittoBroker.withBroker { broker in
            let id = uniqueClientID("shared")
            let first = try await connectedClient(broker.url, clientID: id, version: version)
            #expect(first.statistics.takeovers == 0)
            let second = try await connectedClient(broker.url, clientID: id, version: version)
            // The broker drops the first (mosquitto 2.0 without a DISCONNECT), which takes the ID back at once, and so on.
            let taken = try await poll("takeovers counted") {
                let count = first.statistics.takeovers + second.statistics.takeovers
                return count >= 3 ? count : nil
            }
            #expect(taken >= 3)
            await second.disconnect()
            await first.disconnect()
        }
    }
}
