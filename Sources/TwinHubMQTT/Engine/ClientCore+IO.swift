import CTwinHubMosquitto
import Foundation

extension ClientCore {
    /// Most packets read for one client per readiness event, so one busy client cannot starve the others.
    static let readBudget = 4096

    /// The socket is readable, writable or in error. Loop thread.
    func handleIO(events: UInt32) {
        guard let handle, watchedFD >= 0 else { return }
        let failed = events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        if failed && !attemptSettled {
            socketError = Self.pendingSocketError(watchedFD)
        }
        if events & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            for _ in 0..<Self.readBudget {
                errno = 0
                let rc = mosquitto_loop_read(handle, 1)
                // libmosquitto reads one packet per call and returns with EAGAIN once the socket is dry.
                if rc != MOSQ_ERR_SUCCESS.rawValue || errno == EAGAIN || mosquitto_socket(handle) < 0 { break }
            }
        }
        if events & EPOLLOUT.rawValue != 0, mosquitto_socket(handle) >= 0 {
            mosquitto_loop_write(handle, 1)
        }
        afterLibraryCall()
    }

    /// Keepalive bookkeeping, once a second. Loop thread.
    func tickKeepalive() {
        guard let handle, watchedFD >= 0, attemptSettled, lifecycle.state.isConnected else { return }
        mosquitto_loop_misc(handle)
        afterLibraryCall()
    }

    /// Handles what the callbacks reported, feeds libmosquitto more publishes, and updates what epoll watches.
    func afterLibraryCall() {
        while !libraryEvents.isEmpty {
            let event = libraryEvents.removeFirst()
            handle(event)
        }
        if handle != nil {
            flushOutgoing()
            continueClosing()
        }
        refreshInterest()
    }

    /// Watches the socket libmosquitto currently has, for writing only while it has bytes to write.
    func refreshInterest() {
        guard let handle else { return }
        let fd = mosquitto_socket(handle)
        if fd != watchedFD {
            // A closed socket leaves epoll by itself; only a new one needs adding.
            watchedFD = fd
            watchingWrites = false
            guard fd >= 0 else { return }
            let wantsWrite = mosquitto_want_write(handle)
            loop.watch(fd: fd, for: self, writable: wantsWrite, isNew: true)
            watchingWrites = wantsWrite
            return
        }
        guard fd >= 0 else { return }
        let wantsWrite = mosquitto_want_write(handle)
        if wantsWrite != watchingWrites {
            loop.watch(fd: fd, for: self, writable: wantsWrite, isNew: false)
            watchingWrites = wantsWrite
        }
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
            perform(lifecycle.connected(sessionPresent: sessionPresent))
        case .disconnected(let code, let capturedErrno):
            if closing != nil || lifecycle.state.isClosed {
                perform(lifecycle.closeRequested())
                return
            }
            attemptFailed(disconnectError(code: code, errno: capturedErrno))
        }
    }

    private func connackError(_ code: Int32) -> MQTTError {
        let text = Mosquitto.describeReason(code, protocolVersion: configuration.protocolVersion)
        let authFailures: Set<Int32> = configuration.protocolVersion == .v5
            ? [Int32(MQTT_RC_BAD_USERNAME_OR_PASSWORD.rawValue), Int32(MQTT_RC_NOT_AUTHORIZED.rawValue), Int32(MQTT_RC_BAD_AUTHENTICATION_METHOD.rawValue)]
            : [4, 5]
        let kind: MQTTError.Code = authFailures.contains(code) ? .notAuthorized : .connectionRefused
        return MQTTError(kind, "\(host) refused the connection: \(text)", host: host, libraryCode: code)
    }

    private func disconnectError(code: Int32, errno capturedErrno: Int32) -> MQTTError {
        if !attemptSettled {
            if socketError != 0 {
                return MQTTError(.connectFailed, "cannot connect to \(host): \(String(cString: strerror(socketError)))", host: host, libraryCode: code)
            }
            let error = Mosquitto.error(code, errno: capturedErrno, "cannot connect to \(host)", host: host)
            return error.code == .connectionLost ? MQTTError(.connectFailed, error.reason, host: host, libraryCode: code) : error
        }
        if code == MOSQ_ERR_SUCCESS.rawValue {
            return MQTTError(.connectionLost, "\(host) closed the connection", host: host, libraryCode: code)
        }
        let error = Mosquitto.error(code, errno: capturedErrno, "connection to \(host) lost", host: host)
        return error.code == .connectFailed ? MQTTError(.connectionLost, error.reason, host: host, libraryCode: code) : error
    }

    private static func pendingSocketError(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error
    }
}
