import CTwinHubMosquitto
import Foundation

extension ClientCore {
    // MARK: Entry points (loop thread)

    /// Starts connecting, or joins the attempt under way; `waiter` resumes once connected or closed.
    func connect(waiter: CheckedContinuation<Void, any Error>) {
        switch lifecycle.state {
        case .connected:
            waiter.resume()
        case .closed(let error):
            waiter.resume(throwing: error ?? MQTTError(.closed, "the client is closed", host: host))
        case .idle, .connecting, .reconnecting:
            connectWaiters.append(waiter)
            perform(lifecycle.start())
        }
    }

    /// Closes gracefully: flush queued publishes, wait for acknowledgements, send DISCONNECT, release,
    /// all within `timeout`. With `abort`, drops the socket at once without DISCONNECT, so the broker
    /// publishes the last will.
    func close(abort: Bool, timeout: Duration, waiter: CheckedContinuation<Void, Never>) {
        if lifecycle.state.isClosed && handle == nil {
            waiter.resume()
            return
        }
        closeWaiters.append(waiter)
        guard closing == nil else { return }
        guard !abort, lifecycle.state.isConnected else {
            perform(lifecycle.closeRequested())
            return
        }
        closing = Closing()
        loop.schedule(after: timeout) { [self] in
            if closing != nil {
                logger.warning("MQTT disconnect did not complete within \(timeout); closing the socket", metadata: ["host": "\(host)"])
                perform(lifecycle.closeRequested())
            }
        }
        afterLibraryCall()
    }

    /// Sends DISCONNECT once the outbox is empty and every QoS 1/2 publish is acknowledged.
    func continueClosing() {
        guard var closing, !closing.disconnectSent, let handle else { return }
        guard outbox.withLock({ $0.queue.isEmpty }), inflight.isEmpty else { return }
        closing.disconnectSent = true
        self.closing = closing
        let rc = mosquitto_disconnect(handle)
        if rc != MOSQ_ERR_SUCCESS.rawValue {
            perform(lifecycle.closeRequested())
            return
        }
        // libmosquitto writes the DISCONNECT at once when it can and reports the disconnection from
        // inside this call; otherwise it does so once the write completes. Either way that report
        // finishes the close.
        handleLibraryEvents()
    }

    // MARK: Lifecycle actions

    func perform(_ action: ConnectionLifecycle.Action) {
        switch action {
        case .none:
            break
        case .startAttempt:
            startAttempt()
        case .scheduleRetry(let delay, let generation):
            publishState(lifecycle.state)
            loop.schedule(after: delay) { [self] in perform(lifecycle.retryDue(generation: generation)) }
        case .resume(let sessionPresent):
            publishState(lifecycle.state)
            restoreSubscriptions(sessionPresent: sessionPresent)
            if configuration.outgoingQueue.discardedOnConnect { discardQueued() }
            announce()
            let waiters = connectWaiters
            connectWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
            flushOutgoing()
        case .close(let error):
            finishClose(error: error)
        }
    }

    /// One connection attempt: create the handle the first time, then connect without blocking.
    private func startAttempt() {
        attemptNumber += 1
        attemptSettled = false
        // The broker's answer must be read, whatever a full subscription wanted.
        readingPaused = false
        socketError = 0
        abandonedFD = -1
        lastLibraryError = nil
        tlsHandshakeStarted = false
        if lifecycle.state == .connecting { publishState(.connecting) }
        if handle == nil {
            do {
                handle = try makeHandle()
                loop.register(self)
            } catch {
                attemptFailed(error)
                return
            }
        }
        guard let handle else { return }
        if let makeWill = configuration.willAtEachAttempt {
            do {
                try setWill(makeWill(), on: handle)
            } catch {
                attemptFailed(error)
                return
            }
        }
        let rc: Int32
        if hasStartedConnecting {
            rc = mosquitto_reconnect_async(handle)
        } else {
            hasStartedConnecting = true
            rc = firstConnect(handle)
        }
        let capturedErrno = errno
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            attemptFailed(explainingTLS(Mosquitto.error(rc, errno: capturedErrno, "cannot connect to \(host)", host: host)))
            return
        }
        let attempt = attemptNumber
        loop.schedule(after: configuration.connectTimeout) { [self] in
            guard attempt == attemptNumber, !attemptSettled else { return }
            abandonSocket()
            attemptFailed(MQTTError(.timedOut, "no answer from \(host) within \(configuration.connectTimeout)", host: host))
        }
        refreshInterest()
    }

    /// The first connect. With MQTT 5 and a session expiry the CONNECT must carry properties, which only
    /// the blocking `mosquitto_connect_bind_v5` accepts. libmosquitto 2.0 stores those properties before
    /// it checks its other arguments and resends them on every reconnect, so a call with a keepalive it
    /// rejects (1 s) stores them without touching the network, and the non-blocking connect sends them.
    /// The persistent-session integration test fails if a libmosquitto version stops doing this.
    private func firstConnect(_ handle: OpaquePointer) -> Int32 {
        let broker = configuration.broker
        let keepalive = Int32(configuration.keepalive.components.seconds)
        if configuration.protocolVersion == .v5, case .persistent(let expiry) = configuration.session {
            let properties = PropertyList.sessionExpiry(seconds: UInt32(min(expiry.components.seconds, Int64(UInt32.max))))
            let stored = mosquitto_connect_bind_v5(handle, broker.host, Int32(broker.port), 1, nil, properties.pointer)
            assert(stored == MOSQ_ERR_INVAL.rawValue, "libmosquitto connected with an invalid keepalive")
        }
        return mosquitto_connect_bind_async(handle, broker.host, Int32(broker.port), keepalive, nil)
    }

    /// Records the outcome of the current attempt; only the first outcome of an attempt counts.
    func attemptFailed(_ error: MQTTError) {
        guard !attemptSettled || lifecycle.state.isConnected else { return }
        attemptSettled = true
        // A reconnection attempt that fails: the broker was away, not taken by another client.
        if !lifecycle.state.isConnected { closedWithoutReason = false }
        logger.info("MQTT connection problem: \(error)")
        if case .connected = lifecycle.state { counters.reconnects.add(1) }
        let action = lifecycle.failed(error.with(host: host), random: Double.random(in: 0..<1))
        if case .scheduleRetry = action {
            // SUBACKs lost with the connection will never come; those subscriptions are registered and go
            // out again on reconnect, as when subscribing while disconnected.
            for waiter in subscribeWaiters.values.uniqued() { waiter.continuation.resume() }
            subscribeWaiters.removeAll()
        }
        perform(action)
    }

    /// Drops every publish still queued (a publisher whose messages belong to the connection they were made for).
    private func discardQueued() {
        let queued = outbox.withLock { $0.queue.removeAll() }
        guard !queued.isEmpty else { return }
        let error = MQTTError(.dropped, "queued for a connection that was lost; dropped at the next connect", host: host)
        for publish in queued { publish.fail(error) }
        counters.publishDropped.add(queued.count)
    }

    /// Releases the handle and fails or finishes everything that was waiting on this client.
    private func finishClose(error: MQTTError?) {
        closing = nil
        if let handle {
            // Not inside a libmosquitto callback: events are handled after the library call returns.
            mosquitto_destroy(handle)
            self.handle = nil
            watchedFD = -1
            abandonedFD = -1
            loop.unregister(self)
        }
        let closedError = error ?? MQTTError(.closed, "the client was closed", host: host)
        let queued = outbox.withLock { outbox in
            outbox.closed = true
            return outbox.queue.removeAll()
        }
        for publish in queued + inflight.values.map(\.publish) {
            publish.fail(closedError)
        }
        if !queued.isEmpty {
            counters.publishDropped.add(queued.count)
            logger.warning("MQTT client closed with \(queued.count) publishes still queued; they were dropped")
        }
        inflight.removeAll()
        for waiter in subscribeWaiters.values.uniqued() { waiter.continuation.resume(throwing: closedError) }
        subscribeWaiters.removeAll()
        let connecting = connectWaiters
        connectWaiters.removeAll()
        for waiter in connecting { waiter.resume(throwing: closedError) }
        for sink in sinks.values { sink.finish() }
        sinks.removeAll()
        publishState(lifecycle.state)
        let closers = closeWaiters
        closeWaiters.removeAll()
        for waiter in closers { waiter.resume() }
    }

    // MARK: The libmosquitto handle

    private func makeHandle() throws(MQTTError) -> OpaquePointer {
        let clean = configuration.session == .clean
        let context = Unmanaged.passUnretained(self).toOpaque()
        guard let handle = mosquitto_new(configuration.clientID, clean, context) else {
            throw MQTTError(.library, "mosquitto_new failed: \(String(cString: strerror(errno)))", host: host)
        }
        wakeupPairClosed = WakeupPair.close(in: handle)
        if !wakeupPairClosed {
            logger.debug("libmosquitto's wake-up socket pair stays open (not a 2.0 library, or not found where 2.0 keeps it)",
                         metadata: ["library": "\(Mosquitto.libraryVersion)"])
        }
        do {
            try configure(handle)
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        installCallbacks(on: handle)
        return handle
    }

    /// Registers `will` for the next CONNECT (none clears it).
    private func setWill(_ will: ClientConfiguration.Will?, on handle: OpaquePointer) throws(MQTTError) {
        guard let will else {
            mosquitto_will_clear(handle)
            return
        }
        try Topic.validateName(will.topic)
        let rc = will.payload.withUnsafeBytes { bytes in
            mosquitto_will_set(handle, will.topic, Int32(bytes.count), bytes.baseAddress, will.qos.rawValue, will.retain)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw Mosquitto.error(rc, errno: errno, "setting the last will", host: host) }
    }

    private func configure(_ handle: OpaquePointer) throws(MQTTError) {
        func check(_ rc: Int32, _ doing: String) throws(MQTTError) {
            guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw Mosquitto.error(rc, errno: errno, doing, host: host) }
        }
        let version = configuration.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), "setting the protocol version")
        try check(mosquitto_int_option(handle, MOSQ_OPT_TCP_NODELAY, 1), "setting TCP_NODELAY")
        try check(mosquitto_int_option(handle, MOSQ_OPT_SEND_MAXIMUM, Int32(configuration.maxInflight)), "setting the in-flight maximum")
        let broker = configuration.broker
        if broker.username != nil || broker.password != nil {
            try check(mosquitto_username_pw_set(handle, broker.username, broker.password), "setting the credentials")
        }
        if let will = configuration.will { try setWill(will, on: handle) }
        if broker.usesTLS {
            let tls = configuration.tls
            if let caFile = tls.caFile {
                guard FileManager.default.isReadableFile(atPath: caFile) else {
                    throw MQTTError(.tls, "the CA file '\(caFile)' cannot be read", host: host)
                }
            } else {
                try check(mosquitto_int_option(handle, MOSQ_OPT_TLS_USE_OS_CERTS, 1), "using the system's CA certificates")
            }
            for file in [tls.certificateFile, tls.keyFile].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
                throw MQTTError(.tls, "the TLS file '\(file)' cannot be read", host: host)
            }
            if tls.caFile != nil || tls.certificateFile != nil {
                let rc = mosquitto_tls_set(handle, tls.caFile, nil, tls.certificateFile, tls.keyFile, nil)
                guard rc == MOSQ_ERR_SUCCESS.rawValue else {
                    throw MQTTError(.tls, "TLS setup failed: \(Mosquitto.describe(rc, errno: errno))", host: host, libraryCode: rc)
                }
            }
            if tls.skipHostnameVerification {
                try check(mosquitto_tls_insecure_set(handle, true), "disabling host name verification")
            }
        }
    }
}

extension Sequence where Element: AnyObject {
    /// The elements with repeated objects removed, first occurrence kept.
    func uniqued() -> [Element] {
        var seen: Set<ObjectIdentifier> = []
        return filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}
