import CTwinHubMosquitto
import Foundation

/// An owned libmosquitto MQTT 5 property list (`mosquitto_property *`), freed when it goes out of scope.
/// Used only on the event loop thread, for the duration of one call.
struct PropertyList: ~Copyable {
    private(set) var pointer: OpaquePointer?

    init() {}

    /// Builds the properties of a PUBLISH.
    init(_ properties: PublishProperties) {
        if let expiry = properties.messageExpiry {
            mosquitto_property_add_int32(&pointer, Int32(MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue), expiry)
        }
        if let contentType = properties.contentType {
            mosquitto_property_add_string(&pointer, Int32(MQTT_PROP_CONTENT_TYPE.rawValue), contentType)
        }
        for property in properties.userProperties {
            mosquitto_property_add_string_pair(&pointer, Int32(MQTT_PROP_USER_PROPERTY.rawValue), property.name, property.value)
        }
    }

    static func sessionExpiry(seconds: UInt32) -> PropertyList {
        var list = PropertyList()
        mosquitto_property_add_int32(&list.pointer, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), seconds)
        return list
    }

    static func subscriptionIdentifier(_ identifier: Int) -> PropertyList {
        var list = PropertyList()
        mosquitto_property_add_varint(&list.pointer, Int32(MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue), UInt32(identifier))
        return list
    }

    deinit {
        var owned = pointer
        if owned != nil { mosquitto_property_free_all(&owned) }
    }

    /// Reads the publish properties and subscription identifiers of a received message.
    /// `list` belongs to libmosquitto and is only valid during the callback.
    static func read(_ list: OpaquePointer?) -> (properties: PublishProperties, subscriptionIdentifiers: [Int]) {
        var properties = PublishProperties()
        var identifiers: [Int] = []
        var current = list
        while let property = current {
            let identifier = mosquitto_property_identifier(property)
            switch UInt32(identifier) {
            case MQTT_PROP_MESSAGE_EXPIRY_INTERVAL.rawValue:
                var value: UInt32 = 0
                mosquitto_property_read_int32(property, identifier, &value, false)
                properties.messageExpiry = value
            case MQTT_PROP_CONTENT_TYPE.rawValue:
                var value: UnsafeMutablePointer<CChar>?
                mosquitto_property_read_string(property, identifier, &value, false)
                if let value {
                    properties.contentType = String(cString: value)
                    free(value)
                }
            case MQTT_PROP_USER_PROPERTY.rawValue:
                var name: UnsafeMutablePointer<CChar>?
                var value: UnsafeMutablePointer<CChar>?
                mosquitto_property_read_string_pair(property, identifier, &name, &value, false)
                if let name, let value {
                    properties.userProperties.append(.init(String(cString: name), String(cString: value)))
                }
                free(name)
                free(value)
            case MQTT_PROP_SUBSCRIPTION_IDENTIFIER.rawValue:
                var value: UInt32 = 0
                mosquitto_property_read_varint(property, identifier, &value, false)
                identifiers.append(Int(value))
            default:
                break
            }
            current = mosquitto_property_next(property)
        }
        return (properties, identifiers)
    }
}
