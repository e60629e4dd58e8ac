/// The one error type of the MQTT module.
///
/// Every error says what failed (``code``), why in words (``reason``, which carries libmosquitto's own
/// text where it has one) and where (``host``, ``topic``). The code is a struct over a private enum so
/// new codes can be added without breaking callers that switch over the ones they know.
public struct MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidURL, invalidTopic, invalidFilter, invalidConfiguration, invalidPayload
            case connectFailed, connectionRefused, notAuthorized, timedOut, connectionLost, tls
            case publishRejected, subscriptionRejected, dropped, closed, library
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The broker URL could not be parsed; nothing touched the network.
        public static let invalidURL = Code(.invalidURL)
        /// A topic name is not valid for publishing (empty, wildcards, NUL, too long).
        public static let invalidTopic = Code(.invalidTopic)
        /// A topic filter is not valid for subscribing (misplaced wildcard, bad `$share`).
        public static let invalidFilter = Code(.invalidFilter)
        /// An option is out of range or two options contradict each other.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A payload is larger than MQTT allows.
        public static let invalidPayload = Code(.invalidPayload)
        /// The TCP connection could not be made: refused, unreachable, or the name did not resolve.
        public static let connectFailed = Code(.connectFailed)
        /// The broker answered CONNECT with a refusal other than an authentication failure.
        public static let connectionRefused = Code(.connectionRefused)
        /// The broker refused the credentials or the client is not authorised.
        public static let notAuthorized = Code(.notAuthorized)
        /// An operation did not complete within its time bound.
        public static let timedOut = Code(.timedOut)
        /// An established connection was lost.
        public static let connectionLost = Code(.connectionLost)
        /// The TLS configuration or handshake failed.
        public static let tls = Code(.tls)
        /// The broker refused a QoS 1/2 publish (MQTT 5 reason code ≥ 0x80).
        public static let publishRejected = Code(.publishRejected)
        /// The broker refused a subscription (SUBACK failure).
        public static let subscriptionRejected = Code(.subscriptionRejected)
        /// The publish was dropped by the bounded outgoing queue.
        public static let dropped = Code(.dropped)
        /// The client was closed before the operation completed.
        public static let closed = Code(.closed)
        /// Any other libmosquitto error.
        public static let library = Code(.library)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// Why, in words; includes libmosquitto's text where there is one.
    public let reason: String
    /// The broker host involved, if any.
    public let host: String?
    /// The topic or filter involved, if any.
    public let topic: String?
    /// libmosquitto's return code, or the MQTT reason code, when the error came from one.
    public let libraryCode: Int32?

    public init(_ code: Code, _ reason: String, host: String? = nil, topic: String? = nil, libraryCode: Int32? = nil) {
        self.code = code
        self.reason = reason
        self.host = host
        self.topic = topic
        self.libraryCode = libraryCode
    }

    public var description: String {
        var context: [String] = []
        if let host, !reason.contains(host) { context.append("host \(host)") }
        if let topic { context.append("topic '\(topic)'") }
        let suffix = context.isEmpty ? "" : " (\(context.joined(separator: ", ")))"
        return "\(code): \(reason)\(suffix)"
    }

    /// The same error with a host attached, unless it already names one.
    func with(host: String) -> MQTTError {
        MQTTError(code, reason, host: self.host ?? host, topic: topic, libraryCode: libraryCode)
    }
}
