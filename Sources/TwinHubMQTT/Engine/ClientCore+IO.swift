import CTwinHubMosquitto
import Foundation

extension ClientCore {
    /// Most packets read for one client per readiness event, so one busy client cannot starve the others.
    static let readBudget = 4096

    /// The socket is readable, writable or in error. Loop thread.
    func handleIO(events: UInt32) {
        guard let handle, watchedFD >= 0 else { return }
        let hangup = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0
        let handshaking = !attemptSettled
        if hangup && handshaking {
            socketError = Self.pendingSocketError(watchedFD)
        }
        var rc = MOSQ_ERR_SUCCESS.rawValue
        if handshaking && configuration.broker.usesTLS && !tlsHandshakeStarted && events & EPOLLOUT.rawValue != 0 {
            // The TCP connection is up. libmosquitto drives the TLS handshake only from loop_read (its
            // loop_write returns early until the handshake is done), so start it here; from now on the
            // handshake waits for the broker's answer, which arrives as readability.
            tlsHandshakeStarted = true
            rc = mosquitto_loop_read(handle, 1)
        }
        if rc == MOSQ_ERR_SUCCESS.rawValue, !readingPaused || hangup,
           events & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue | EPOLLRDHUP.rawValue) != 0 {
            // Only when a read can make acknowledgements to write: QoS 1/2 subscribed to, or publishes in flight.
            let corked = attemptSettled && !hangup && (!inflight.isEmpty || subscriptions.acknowledgesReceipts) ? cork(handle) : -1
            rc = readAvailable(handle, stopEarly: hangup && handshaking)
            if corked >= 0 && mosquitto_socket(handle) == corked { Self.uncork(corked) }
        }
        // Write on writability, and also when a read left something queued (the CONNECT after a TLS handshake).
        if rc == MOSQ_ERR_SUCCESS.rawValue, mosquitto_socket(handle) >= 0,
           events & EPOLLOUT.rawValue != 0 || mosquitto_want_write(handle) {
            rc = mosquitto_loop_write(handle, 1)
        }
        let capturedErrno = errno
        let reported = libraryEvents.contains { if case .disconnected = $0 { true } else { false } }
        if rc != MOSQ_ERR_SUCCESS.rawValue && !reported {
            // libmosquitto reports most failures through on_disconnect, but not a failed TLS handshake:
            // it closes the socket and only returns the error.
            libraryEvents.append(.disconnected(code: rc, errno: capturedErrno))
        } else if hangup && handshaking && !attemptSettled && libraryEvents.isEmpty && mosquitto_socket(handle) >= 0 {
            // The broker hung up during the TLS handshake; libmosquitto would wait on the dead socket.
            abandonSocket()
            libraryEvents.append(.disconnected(code: MOSQ_ERR_CONN_LOST.rawValue, errno: socketError))
        }
        afterLibraryCall()
    }

    /// Reads packets until the socket is dry (libmosquitto reads one per call and leaves EAGAIN in errno
    /// once there is nothing more), within a budget so one busy client cannot starve the others.
    private func readAvailable(_ handle: OpaquePointer, stopEarly: Bool) -> Int32 {
        var rc = MOSQ_ERR_SUCCESS.rawValue
        let receivedBefore = counters.received.load(ordering: .relaxed)
        for _ in 0..<Self.readBudget {
            errno = 0
            rc = mosquitto_loop_read(handle, 1)
            if rc != MOSQ_ERR_SUCCESS.rawValue || errno == EAGAIN || mosquitto_socket(handle) < 0 || stopEarly || readingPaused { break }
        }
        if configuration.broker.usesTLS, rc == MOSQ_ERR_SUCCESS.rawValue, attemptSettled,
           counters.received.load(ordering: .relaxed) != receivedBefore {
            // The EAGAIN that ended the loop may have come from a write (an acknowledgement) while OpenSSL
            // still holds decrypted records epoll cannot see: read once more, for as long as data flows.
            loop.execute { [self] in
                guard let handle = self.handle, watchedFD >= 0 else { return }
                _ = readAvailable(handle, stopEarly: false)
                afterLibraryCall()
            }
        }
        return rc
    }

    /// Holds back partial segments on the client's socket while a burst of packets is read or written: libmosquitto
    /// writes each packet (a PUBACK the moment it reads a QoS 1 message, a publish the moment it is handed one), and with
    /// `TCP_NODELAY` each would be a segment of its own, whose delivery to the broker is charged to this thread. Corked,
    /// a burst leaves in as few segments as it fills when ``uncork(_:)`` ends it. Returns the socket, or -1 if it
    /// cannot be corked (none, or not the one watched).
    func cork(_ handle: OpaquePointer) -> Int32 {
        let fd = mosquitto_socket(handle)
        guard fd >= 0, fd == watchedFD else { return -1 }
        var on: Int32 = 1
        guard setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else { return -1 }
        corkedBursts += 1
        return fd
    }

    /// Sends what ``cork(_:)`` held back, at once.
    static func uncork(_ fd: Int32) {
        var off: Int32 = 0
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_CORK, &off, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Stops watching a socket libmosquitto still holds but that is dead to us (a timed-out or hung-up
    /// attempt); the next attempt's reconnect, or the close, releases it.
    func abandonSocket() {
        guard watchedFD >= 0 else { return }
        loop.unwatch(fd: watchedFD)
        abandonedFD = watchedFD
        watchedFD = -1
    }

    /// Keepalive bookkeeping, once a second. Loop thread.
    func tickKeepalive() {
        guard let handle, watchedFD >= 0, attemptSettled, lifecycle.state.isConnected else { return }
        mosquitto_loop_misc(handle)
        afterLibraryCall()
    }

    /// Wakes the consumers of what the call delivered, handles what the callbacks reported, feeds libmosquitto more
    /// publishes, and updates what epoll watches.
    func afterLibraryCall() {
        wakeConsumers()
        handleLibraryEvents()
        if handle != nil {
            flushOutgoing()
            continueClosing()
        }
        refreshInterest()
    }

    /// Handles what libmosquitto's callbacks recorded during the calls just made.
    func handleLibraryEvents() {
        while !libraryEvents.isEmpty {
            let event = libraryEvents.removeFirst()
            handle(event)
        }
    }

    /// Watches the socket libmosquitto currently has, for reading unless paused, for writing only while it has
    /// bytes to write; `force` re-registers even when writability did not change (reading was paused or resumed).
    func refreshInterest(force: Bool = false) {
        guard let handle else { return }
        let fd = mosquitto_socket(handle)
        if fd >= 0 && fd == abandonedFD { return }
        if fd != watchedFD {
            // A closed socket leaves epoll by itself; only a new one needs adding.
            watchedFD = fd
            watchingWrites = false
            // A new connection starts reading: its CONNACK (or TLS handshake) must get through. If a subscription is
            // still full, the next message it gets pauses reading again.
            readingPaused = false
            guard fd >= 0 else { return }
            let wantsWrite = wantsWritability(handle)
            loop.watch(fd: fd, for: self, readable: !readingPaused, writable: wantsWrite, isNew: true)
            watchingWrites = wantsWrite
            return
        }
        guard fd >= 0 else { return }
        let wantsWrite = wantsWritability(handle)
        if wantsWrite != watchingWrites || force {
            loop.watch(fd: fd, for: self, readable: !readingPaused, writable: wantsWrite, isNew: false)
            watchingWrites = wantsWrite
        }
    }

    /// Whether to wake up when the socket is writable: when libmosquitto has bytes to write, except
    /// during a started TLS handshake, where the queued CONNECT cannot go out before the broker answers
    /// (watching writability then would spin).
    private func wantsWritability(_ handle: OpaquePointer) -> Bool {
        if configuration.broker.usesTLS && !attemptSettled && tlsHandshakeStarted { return false }
        return mosquitto_want_write(handle)
    }

    private func handle(_ event: LibraryEvent) {
        switch event {
        case .connack(let code, let sessionPresent):
            guard code == 0 else {
                attemptFailed(connackError(code))
                return
            }
            attemptSettled = true
            logger.info("MQTT connected to \(host)", metadata: ["session_present": "\(sessionPresent)"])
            if closedWithoutReason, case .reconnecting(attempt: 1, _, _) = lifecycle.state { noteQuickReturn() }
            closedWithoutReason = false
            connectedAt = .now
            perform(lifecycle.connected(sessionPresent: sessionPresent))
        case .disconnected(let code, let capturedErrno):
            if closing != nil || lifecycle.state.isClosed {
                perform(lifecycle.closeRequested())
                return
            }
            if lifecycle.state.isConnected {
                if code == Int32(MQTT_RC_SESSION_TAKEN_OVER.rawValue) {
                    noteTakeover("the broker says the session was taken over")
                } else {
                    // Taken over, a connection lasts about the other client's reconnection delay (as short as this one's).
                    let brief = connectedAt.map { ContinuousClock.now - $0 < max(.seconds(1), configuration.reconnect.initialDelay * 4) } ?? false
                    closedWithoutReason = code == MOSQ_ERR_CONN_LOST.rawValue && brief
                }
            }
            attemptFailed(disconnectError(code: code, errno: capturedErrno))
        }
    }

    /// Another client connected with this client's ID and the broker dropped this one: counted, and said loudly, since
    /// two clients with one ID take the connection from each other again and again.
    private func noteTakeover(_ why: String, count added: Int = 1) {
        counters.takeovers.add(added)
        let count = counters.takeovers.load(ordering: .relaxed)
        // Loud but bounded: the 1st, 2nd, 4th, 8th... (two clients may take an ID from each other many times a second).
        guard added > 1 || count & (count - 1) == 0 else { return }
        logger.warning("MQTT client ID '\(configuration.clientID ?? "")' taken over by another connection to \(host) (\(why)); two clients must not share a client ID",
                       metadata: ["takeovers": "\(count)"])
    }

    /// The broker closed a brief connection without a reason and took the next attempt at once. Once or twice is a
    /// broker restarted quickly; three times in a row, each within a minute of the last, is another client taking the
    /// ID back each time this one reconnects.
    private func noteQuickReturn() {
        let now = ContinuousClock.now
        quickReturns = lastQuickReturn.map { now - $0 < .seconds(60) } == true ? quickReturns + 1 : 1
        lastQuickReturn = now
        guard quickReturns >= Self.quickReturnsOfATakeover else { return }
        noteTakeover("the broker keeps closing the connection without a reason and accepting the next one at once; unless it was restarted again and again",
                     count: quickReturns == Self.quickReturnsOfATakeover ? quickReturns : 1)
    }

    private static let quickReturnsOfATakeover = 3

    private func connackError(_ code: Int32) -> MQTTError {
        let text = Mosquitto.describeReason(code, protocolVersion: configuration.protocolVersion)
        let authFailures: Set<Int32> = configuration.protocolVersion == .v5
            ? [Int32(MQTT_RC_BAD_USERNAME_OR_PASSWORD.rawValue), Int32(MQTT_RC_NOT_AUTHORIZED.rawValue), Int32(MQTT_RC_BAD_AUTHENTICATION_METHOD.rawValue)]
            : [4, 5]
        let kind: MQTTError.Code = authFailures.contains(code) ? .notAuthorized : .connectionRefused
        return MQTTError(kind, "\(host) refused the connection: \(text)", host: host, libraryCode: code)
    }

    private func disconnectError(code: Int32, errno capturedErrno: Int32) -> MQTTError {
        if attemptSettled, code == Int32(MQTT_RC_SESSION_TAKEN_OVER.rawValue) {
            return MQTTError(.connectionLost, "\(host) closed the connection: another client connected with the same client ID (session taken over)",
                             host: host, libraryCode: code)
        }
        if attemptSettled {
            if code == MOSQ_ERR_SUCCESS.rawValue {
                return MQTTError(.connectionLost, "\(host) closed the connection", host: host, libraryCode: code)
            }
            let error = Mosquitto.error(code, errno: capturedErrno, "connection to \(host) lost", host: host)
            return error.code == .connectFailed ? MQTTError(.connectionLost, error.reason, host: host, libraryCode: code) : error
        }
        var error = socketError != 0
            ? MQTTError(.connectFailed, "cannot connect to \(host): \(String(cString: strerror(socketError)))", host: host, libraryCode: code)
            : Mosquitto.error(code, errno: capturedErrno, "cannot connect to \(host)", host: host)
        if error.code == .connectionLost {
            error = MQTTError(.connectFailed, error.reason, host: host, libraryCode: code)
        }
        return explainingTLS(error)
    }

    /// A connect failure of a TLS client, with what OpenSSL logged, or a hint where it logged nothing.
    func explainingTLS(_ error: MQTTError) -> MQTTError {
        let tcpNeverUp = [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT].contains(socketError)
        guard configuration.broker.usesTLS, !tcpNeverUp, error.code != .tls || lastLibraryError != nil,
              error.code != .timedOut else { return error }
        if let detail = lastLibraryError {
            // A TLS failure the library only logged: name it as one, with OpenSSL's words, and what an alert the
            // broker sent means (OpenSSL says "alert unknown ca" whichever side it concerns).
            let meaning = Self.peerAlerts.first { detail.contains($0.alert) }.map { ": \($0.meaning)" } ?? ""
            return MQTTError(.tls, "\(error.reason) (\(detail))\(meaning)", host: host, libraryCode: error.libraryCode)
        }
        // With TLS 1.3 a broker refuses a client certificate after the client's side of the handshake,
        // so the refusal can surface as a bare connection or protocol error.
        let hint = configuration.tls.certificateFile == nil
            ? "does the broker require a client certificate?"
            : "did the broker refuse the client certificate? It must be signed by a CA the broker trusts, and valid now"
        return MQTTError(error.code, "\(error.reason) during or just after the TLS handshake (\(hint))", host: host, libraryCode: error.libraryCode)
    }

    /// TLS alerts a broker sends about the client's certificate, as OpenSSL reports them, and what they mean.
    private static let peerAlerts: [(alert: String, meaning: String)] = [
        ("alert unknown ca", "the broker does not trust the CA that signed the client certificate"),
        ("alert certificate required", "the broker requires a client certificate (--cert and --key)"),
        ("alert certificate expired", "the broker found the client certificate expired"),
        ("alert bad certificate", "the broker refused the client certificate"),
        ("alert certificate revoked", "the client certificate is revoked"),
    ]

    private static func pendingSocketError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }
}
