import CTwinHubMosquitto
import Foundation

/// libmosquitto's callbacks. They run on the loop thread, inside a libmosquitto call this client made.
/// Connection events are only recorded here and handled after that call returns (never call back into
/// libmosquitto to close or destroy from inside a callback); messages and acknowledgements are
/// delivered at once, copying everything out of libmosquitto's memory before returning.
extension ClientCore {
    /// Installs the callbacks. Called once, before the first connect, never from inside a callback.
    func installCallbacks(on handle: OpaquePointer) {
        mosquitto_connect_with_flags_callback_set(handle) { _, context, code, flags in
            ClientCore.from(context).libraryEvents.append(.connack(code: code, sessionPresent: flags & 1 != 0))
        }
        // The MQTT 5 callback: a broker's DISCONNECT reason (0x8E, session taken over) comes as `code` (a library error
        // code otherwise); properties are not needed.
        mosquitto_disconnect_v5_callback_set(handle) { _, context, code, _ in
            let capturedErrno = errno
            ClientCore.from(context).libraryEvents.append(.disconnected(code: code, errno: capturedErrno))
        }
        mosquitto_publish_v5_callback_set(handle) { _, context, messageID, reasonCode, _ in
            ClientCore.from(context).acknowledged(messageID: messageID, reasonCode: reasonCode)
        }
        mosquitto_subscribe_callback_set(handle) { _, context, messageID, count, grantedQoS in
            let granted = (0..<Int(count)).map { grantedQoS?[$0] ?? 0x80 }
            ClientCore.from(context).subscribed(messageID: messageID, granted: granted)
        }
        mosquitto_message_v5_callback_set(handle) { _, context, message, properties in
            guard let message else { return }
            ClientCore.from(context).received(message.pointee, properties: properties)
        }
        if configuration.broker.usesTLS {
            // OpenSSL's reasons (an expired certificate, a refused client certificate) reach only the log.
            // Not installed for plain connections: with a log callback libmosquitto formats a line per packet.
            mosquitto_log_callback_set(handle) { _, context, level, text in
                guard level & MOSQ_LOG_ERR != 0, let text else { return }
                ClientCore.from(context).lastLibraryError = String(cString: text)
            }
        }
    }

    fileprivate static func from(_ context: UnsafeMutableRawPointer?) -> ClientCore {
        // The core outlives its handle: it stays registered with the loop until the handle is destroyed.
        Unmanaged<ClientCore>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Copies a received message and hands it to every subscription it belongs to.
    private func received(_ message: mosquitto_message, properties: OpaquePointer?) {
        let topic = String(cString: message.topic)
        let length = Int(message.payloadlen)
        let payload = length > 0
            ? [UInt8](UnsafeRawBufferPointer(start: message.payload, count: length))
            : []
        let (publishProperties, identifiers) = PropertyList.read(properties)
        counters.received.add(1)
        counters.bytesIn.add(length)
        let mqttMessage = MQTTMessage(
            topic: topic, payload: payload, qos: QoS(rawValue: message.qos) ?? .atMostOnce,
            retain: message.retain, properties: publishProperties, receivedAt: .now)
        deliver(mqttMessage, subscriptionIdentifiers: identifiers)
    }
}
