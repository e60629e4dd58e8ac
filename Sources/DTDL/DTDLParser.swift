/// Reads DTDL v2 and v3 documents: an Interface, or an array of them, with inline Interfaces in `extends` and in
/// Components read as Interfaces of their own. Each element is checked against the specification's rules for its
/// class (names, lengths, required and unknown properties, schema shapes, DTMIs); what TwinHub does not support is
/// named in a warning. Rules across Interfaces (what `extends` names, inherited names) are ``DTDLValidator``'s.
public enum DTDLParser {
    /// The largest document DTDL allows (1 MiB), checked before reading it.
    public static let maximumDocumentSize = 1_048_576

    /// The Interfaces of one document, and every problem found in it.
    /// - Parameters:
    ///   - text: The document's JSON.
    ///   - file: Its path, for diagnostics.
    public static func parse(_ text: String, file: String) -> (interfaces: [DTDLInterface], diagnostics: [DTDLDiagnostic]) {
        let size = text.utf8.count
        guard size <= maximumDocumentSize else {
            let location = DTDLLocation(file: file, path: "/", line: 1, column: 1)
            return ([], [DTDLDiagnostic(.error, "the document is \(size) bytes; a DTDL document is at most 1 MiB (\(maximumDocumentSize) bytes)", at: location)])
        }
        let root: JSONNode
        do {
            root = try PositionedJSONReader.read(text)
        } catch {
            let location = DTDLLocation(file: file, path: error.path, line: error.line, column: error.column)
            return ([], [DTDLDiagnostic(.error, "malformed JSON: \(error.reason)", at: location)])
        }
        let reader = DTDLDocumentReader(file: file)
        if let items = root.array {
            if items.isEmpty { reader.error("the document holds no Interface", root) }
            for item in items { reader.interface(item, inherited: nil) }
        } else {
            reader.interface(root, inherited: nil)
        }
        return (reader.interfaces, reader.diagnostics)
    }
}
