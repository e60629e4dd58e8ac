import CTwinHubMosquitto
import Foundation

/// libmosquitto's process-wide setup and its error texts, in one place.
enum Mosquitto {
    /// Calls `mosquitto_lib_init` exactly once per process (Swift runs a global's initialiser once).
    static let initialized: Void = {
        mosquitto_lib_init()
    }()

    /// The version of the libmosquitto this process loaded, e.g. "2.0.11".
    static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        mosquitto_lib_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// libmosquitto's text for a return code. For `MOSQ_ERR_ERRNO` pass the `errno` captured right after the call.
    static func describe(_ rc: Int32, errno capturedErrno: Int32 = 0) -> String {
        if rc == MOSQ_ERR_ERRNO.rawValue, capturedErrno != 0 {
            return String(cString: strerror(capturedErrno))
        }
        return String(cString: mosquitto_strerror(rc))
    }

    /// The text of an MQTT 5 reason code, or of an MQTT 3.1.1 CONNACK code.
    static func describeReason(_ code: Int32, protocolVersion: ProtocolVersion) -> String {
        switch protocolVersion {
        case .v5: String(cString: mosquitto_reason_string(code))
        case .v311: String(cString: mosquitto_connack_string(code))
        }
    }

    /// Maps a libmosquitto return code to an ``MQTTError`` with its text and context.
    static func error(_ rc: Int32, errno capturedErrno: Int32 = 0, _ doing: String, host: String? = nil, topic: String? = nil) -> MQTTError {
        let code: MQTTError.Code = switch rc {
        case MOSQ_ERR_TLS.rawValue, MOSQ_ERR_TLS_HANDSHAKE.rawValue: .tls
        case MOSQ_ERR_CONN_LOST.rawValue, MOSQ_ERR_KEEPALIVE.rawValue, MOSQ_ERR_NO_CONN.rawValue: .connectionLost
        case MOSQ_ERR_ERRNO.rawValue, MOSQ_ERR_EAI.rawValue, MOSQ_ERR_LOOKUP.rawValue: .connectFailed
        case MOSQ_ERR_AUTH.rawValue: .notAuthorized
        case MOSQ_ERR_PAYLOAD_SIZE.rawValue, MOSQ_ERR_OVERSIZE_PACKET.rawValue: .invalidPayload
        case MOSQ_ERR_INVAL.rawValue: .invalidConfiguration
        default: .library
        }
        return MQTTError(code, "\(doing): \(describe(rc, errno: capturedErrno))", host: host, topic: topic, libraryCode: rc)
    }
}
