import CTwinHubMosquitto
import Foundation

extension ClientCore {
    /// Registers a subscription and, when connected, subscribes its new filters; `waiter` resumes once
    /// the broker granted them. While disconnected it resumes at once: the filters go out on connect.
    func subscribe(holder: UInt64, sink: SubscriptionSink, filters: [String], qos: QoS, waiter: CheckedContinuation<Void, any Error>) {
        if lifecycle.state.isClosed {
            sink.finish()
            waiter.resume(throwing: MQTTError(.closed, "the client is closed", host: host, topic: filters.first))
            return
        }
        sinks[holder] = sink
        let toSend = subscriptions.add(holder: holder, filters: filters, qos: qos)
        pendingUnsubscribes.subtract(filters)
        guard let handle, lifecycle.state.isConnected, !toSend.isEmpty else {
            waiter.resume()
            return
        }
        let pending = SubscribeWaiter(remaining: 0, continuation: waiter)
        for entry in toSend {
            if let messageID = sendSubscribe(entry, on: handle, retainHandling: 0) {
                pending.remaining += 1
                subscribeWaiters[messageID] = pending
            }
        }
        if pending.remaining == 0 { waiter.resume() }
        refreshInterest()
    }

    /// Drops a subscription; filters nobody else holds are unsubscribed at the broker, unless `atBroker` is false
    /// (they then stay there, for a persistent session to queue what they match until it resumes).
    func unsubscribe(holder: UInt64, atBroker: Bool = true) {
        guard subscriptions.contains(holder: holder) else { return }
        sinks.removeValue(forKey: holder)?.finish()
        // A full subscription that goes away must not leave the socket unread.
        consumerCaughtUp()
        let released = subscriptions.remove(holder: holder)
        guard atBroker else {
            refreshInterest()
            return
        }
        guard let handle, lifecycle.state.isConnected else {
            // A persistent session keeps them at the broker: unsubscribe on the next connect.
            if configuration.session != .clean { pendingUnsubscribes.formUnion(released) }
            return
        }
        for filter in released {
            let rc = mosquitto_unsubscribe(handle, nil, filter)
            if rc != MOSQ_ERR_SUCCESS.rawValue {
                logger.warning("MQTT unsubscribe failed: \(Mosquitto.error(rc, errno: errno, "unsubscribe", host: host, topic: filter))")
            }
        }
        refreshInterest()
    }

    /// After a connect: send every subscription again, and the unsubscribes made while disconnected.
    /// Even a resumed session gets them all: filters may have been added meanwhile, and the session's
    /// subscription identifiers may come from another process. In a resumed session retained messages
    /// are not sent again for subscriptions the broker already had (MQTT 5 retain handling).
    func restoreSubscriptions(sessionPresent: Bool) {
        guard let handle else { return }
        for filter in pendingUnsubscribes {
            _ = mosquitto_unsubscribe(handle, nil, filter)
        }
        pendingUnsubscribes.removeAll()
        let entries = subscriptions.all
        let retainHandling = sessionPresent && configuration.protocolVersion == .v5 ? Int32(MQTT_SUB_OPT_SEND_RETAIN_NEW.rawValue) : 0
        for entry in entries {
            _ = sendSubscribe(entry, on: handle, retainHandling: retainHandling)
        }
        if !entries.isEmpty {
            logger.debug("MQTT restored \(entries.count) subscriptions")
        }
    }

    /// Sends one SUBSCRIBE carrying the entry's subscription identifier (MQTT 5). Returns its message ID.
    private func sendSubscribe(_ entry: SubscriptionTable.Entry, on handle: OpaquePointer, retainHandling: Int32) -> Int32? {
        var messageID: Int32 = 0
        let rc: Int32
        if configuration.protocolVersion == .v5 {
            let properties = PropertyList.subscriptionIdentifier(entry.identifier)
            let retainAsPublished = configuration.retainAsPublished ? Int32(MQTT_SUB_OPT_RETAIN_AS_PUBLISHED.rawValue) : 0
            rc = mosquitto_subscribe_v5(handle, &messageID, entry.filter, entry.qos.rawValue, retainHandling | retainAsPublished, properties.pointer)
        } else {
            rc = mosquitto_subscribe(handle, &messageID, entry.filter, entry.qos.rawValue)
        }
        guard rc == MOSQ_ERR_SUCCESS.rawValue else {
            logger.warning("MQTT subscribe failed: \(Mosquitto.error(rc, errno: errno, "subscribe", host: host, topic: entry.filter))")
            return nil
        }
        return messageID
    }

    /// The broker answered a SUBSCRIBE. Loop thread, inside a callback.
    func subscribed(messageID: Int32, granted: [Int32]) {
        guard let waiter = subscribeWaiters.removeValue(forKey: messageID) else {
            if let refused = granted.first(where: { $0 >= 0x80 }) {
                logger.error("MQTT broker refused a restored subscription", metadata: ["reason": "\(Mosquitto.describeReason(refused, protocolVersion: .v5))"])
            }
            return
        }
        if let refused = granted.first(where: { $0 >= 0x80 }) {
            let text = Mosquitto.describeReason(refused, protocolVersion: .v5)
            waiter.failure = MQTTError(.subscriptionRejected, "\(host) refused the subscription: \(text)", host: host, libraryCode: refused)
        }
        waiter.remaining -= 1
        guard waiter.remaining == 0 else { return }
        if let failure = waiter.failure {
            waiter.continuation.resume(throwing: failure)
        } else {
            waiter.continuation.resume()
        }
    }

    /// Hands a received message to the subscriptions it belongs to, counting what a full buffer dropped.
    func deliver(_ message: MQTTMessage, subscriptionIdentifiers: [Int]) {
        let holders = subscriptions.holders(forTopic: message.topic, identifiers: subscriptionIdentifiers)
        if holders.isEmpty {
            counters.unrouted.add(1)
            return
        }
        for holder in holders {
            guard let sink = sinks[holder] else { continue }
            switch sink.push(message) {
            case .buffered:
                break
            case .droppedOldest:
                sink.dropped.add(1)
                counters.deliveryDropped.add(1)
            case .ended:
                continue
            }
            if !sinksToWake.contains(where: { $0 === sink }) { sinksToWake.append(sink) }
            if sink.isFull && !readingPaused {
                readingPaused = true
                counters.readPauses.add(1)
                refreshInterest(force: true)
            }
        }
    }

    /// Wakes the consumers that were given messages during the library call that just returned.
    func wakeConsumers() {
        for sink in sinksToWake { sink.wakeConsumer() }
        sinksToWake.removeAll(keepingCapacity: true)
    }

    /// A consumer took messages from a subscription that pauses reading: read again once none is full.
    func consumerCaughtUp() {
        guard readingPaused, !sinks.values.contains(where: \.isFull) else { return }
        readingPaused = false
        refreshInterest(force: true)
        // Packets libmosquitto or the socket already hold: level-triggered epoll reports the socket, but read now
        // rather than wait for the next wake-up.
        if handle != nil, watchedFD >= 0, attemptSettled, lifecycle.state.isConnected {
            handleIO(events: EPOLLIN.rawValue)
        }
    }
}
