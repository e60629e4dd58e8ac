/// A machine kind made from a DTDL Interface: the YAML of its kind file, and what the import left out or changed.
public struct ImportedKind: Sendable {
    /// The kind's id (`kind:`), from the Interface's DTMI.
    public var id: String
    /// The DTMI of the Interface it was made from.
    public var interface: String
    /// A file name for it: the id with `-` for `_`, `.yaml`.
    public var fileName: String
    /// The kind file's text; it loads with `KindLoader` and passes `twinhub validate`.
    public var yaml: String
    /// What the import did not carry over or chose for the user, each where it is in the model.
    public var warnings: [DTDLDiagnostic]
}
