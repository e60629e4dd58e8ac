import CTwinHubMosquitto
import Foundation

extension ClientCore {
    /// Most publishes taken from the outbox per lock, to keep the lock short under load.
    static let flushBatch = 256

    /// Most publishes handed to libmosquitto while the oldest QoS 1/2 publish is unacknowledged. Its
    /// message IDs are 16-bit and shared by every publish, QoS 0 included, so beyond 65,535 an ID would
    /// come round again and its acknowledgement could be matched to the wrong publish.
    static let messageIDWindow = 60_000

    /// Queues publishes for the loop, in order, under one lock and with one hand-over to the loop thread: a burst
    /// handed over together leaves in as few segments as it fills. Any thread. What the bounded queue drops is
    /// failed and counted.
    func enqueue(_ publishes: some Collection<PendingPublish>) {
        var dropped: [PendingPublish] = []
        var closed = false
        let mustSchedule = outbox.withLock { outbox in
            if outbox.closed {
                closed = true
                return false
            }
            for publish in publishes {
                if let drop = outbox.queue.append(publish) { dropped.append(drop) }
            }
            defer { outbox.flushScheduled = true }
            return !outbox.flushScheduled
        }
        if closed {
            counters.publishDropped.add(publishes.count)
            for publish in publishes {
                publish.fail(MQTTError(.closed, "the client is closed", host: host, topic: publish.request.topic))
            }
            return
        }
        if !dropped.isEmpty {
            counters.publishDropped.add(dropped.count)
            for publish in dropped {
                publish.fail(MQTTError(.dropped, "the outgoing queue is full (\(configuration.outgoingQueue.capacity) messages) and dropped this publish", host: host, topic: publish.request.topic))
            }
        }
        if mustSchedule {
            loop.execute { [self] in
                outbox.withLock { $0.flushScheduled = false }
                flushOutgoing()
                continueClosing()
                refreshInterest()
            }
        }
    }

    /// Hands queued publishes to libmosquitto while connected, the socket keeps up, and the in-flight
    /// window has room. What stays queued waits, bounded, for the next chance. Loop thread.
    func flushOutgoing() {
        guard let handle, lifecycle.state.isConnected, attemptSettled else { return }
        // Several publishes at once (a simulated machine's samples of one step) leave as few segments as they fill.
        var corked: Int32 = -1
        defer { if corked >= 0 && mosquitto_socket(handle) == corked { Self.uncork(corked) } }
        while !mosquitto_want_write(handle) {
            if handedOverCount - oldestHandedOverBound >= Self.messageIDWindow {
                // The bound may be stale: look at the in-flight publishes themselves (rarely: only near the window).
                oldestHandedOverBound = inflight.values.lazy.map(\.handedOver).min() ?? handedOverCount
                if handedOverCount - oldestHandedOverBound >= Self.messageIDWindow { return }
            }
            let room = configuration.maxInflight - inflight.count
            let batch: [PendingPublish] = outbox.withLock { outbox in
                var batch: [PendingPublish] = []
                var inflightRoom = room
                while batch.count < Self.flushBatch, let next = outbox.queue.first {
                    if next.request.qos != .atMostOnce {
                        guard inflightRoom > 0 else { break }
                        inflightRoom -= 1
                    }
                    batch.append(outbox.queue.popFirst()!)
                }
                return batch
            }
            if batch.isEmpty { return }
            if batch.count > 1 && corked < 0 { corked = cork(handle) }
            for publish in batch { send(publish, on: handle) }
        }
    }

    /// Sends the configured announcement, ahead of everything queued. Loop thread, just connected.
    func announce() {
        guard let handle, let announcement = configuration.announcement else { return }
        for request in announcement() {
            send(PendingPublish(request: request, waiter: nil), on: handle)
        }
    }

    private func send(_ publish: PendingPublish, on handle: OpaquePointer) {
        let request = publish.request
        var messageID: Int32 = 0
        handedOverCount += 1
        let properties = configuration.protocolVersion == .v5 && !request.properties.isEmpty
            ? PropertyList(request.properties) : PropertyList()
        let rc = request.payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(handle, &messageID, request.topic, Int32(bytes.count), bytes.baseAddress,
                                 request.qos.rawValue, request.retain, properties.pointer)
        }
        let capturedErrno = errno
        if request.qos != .atMostOnce && messageID != 0 {
            // libmosquitto gave it an ID, so it holds the message and sends it again after a reconnect,
            // even if writing it failed just now: it is in flight, not refused.
            counters.published.add(1)
            counters.bytesOut.add(request.payload.count)
            track(publish, messageID: messageID)
            return
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            counters.publishDropped.add(1)
            let error = Mosquitto.error(rc, errno: capturedErrno, "publish refused by libmosquitto", host: host, topic: request.topic)
            logger.warning("MQTT publish dropped: \(error)")
            publish.fail(error)
            return
        }
        counters.published.add(1)
        counters.bytesOut.add(request.payload.count)
        publish.succeed()
    }

    private func track(_ publish: PendingPublish, messageID: Int32) {
        if let previous = inflight[messageID] {
            previous.publish.fail(MQTTError(.library, "message ID \(messageID) was reused before its acknowledgement arrived", host: host, topic: previous.publish.request.topic))
        }
        inflight[messageID] = InflightPublish(publish: publish, handedOver: handedOverCount)
    }

    /// The broker acknowledged (or refused) a QoS 1/2 publish. Loop thread, inside a callback.
    func acknowledged(messageID: Int32, reasonCode: Int32) {
        guard let publish = inflight.removeValue(forKey: messageID)?.publish else { return }
        if reasonCode >= 0x80 {
            let text = Mosquitto.describeReason(reasonCode, protocolVersion: .v5)
            configuration.publishRejected?(publish.request.topic, text)
            publish.fail(MQTTError(.publishRejected, "\(host) refused the publish: \(text)", host: host, topic: publish.request.topic, libraryCode: reasonCode))
        } else {
            publish.succeed()
        }
    }
}
