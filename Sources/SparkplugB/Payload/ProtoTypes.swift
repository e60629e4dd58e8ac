/// Short names for the generated protobuf types (package `org.eclipse.tahu.protobuf`).
typealias ProtoPayload = Org_Eclipse_Tahu_Protobuf_Payload
typealias ProtoMetric = Org_Eclipse_Tahu_Protobuf_Payload.Metric
typealias ProtoPropertySet = Org_Eclipse_Tahu_Protobuf_Payload.PropertySet
typealias ProtoPropertyValue = Org_Eclipse_Tahu_Protobuf_Payload.PropertyValue
