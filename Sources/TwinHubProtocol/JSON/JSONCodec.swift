import TwinModel

/// The JSON codec of every TwinHub payload, each message's encoder beside its decoder (one file per message:
/// `JSONCodec+Telemetry.swift`, `JSONCodec+Twin.swift`, …). Payloads are written by hand for speed (the simulator
/// writes thousands a second) and read by the strict ``TwinModel/JSONReader`` (input from the wire is never
/// trusted). The domain values it reads into and writes from know nothing of JSON or topics, so a second codec
/// (Sparkplug B) can sit beside this one. Every message's shape is described by a JSON Schema in `schemas/`.
public enum JSONCodec {
    /// The largest payload the decoders accept unless told otherwise.
    public static let defaultMaximumSize = JSONFields.defaultMaximumSize
}
