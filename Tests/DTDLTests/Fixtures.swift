import DTDL
import Foundation

/// Models the tests read: the examples shipped in `examples/dtdl`, and small documents written inline.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let examples = root.appendingPathComponent("examples/dtdl").path

    /// The model of one document given as text, read as `file`.
    static func model(_ json: String, file: String = "test.json") -> DTDLModel {
        DTDLModel.read(documents: [(file, json)])
    }

    /// A v3 Interface with these contents (JSON text of the array's elements).
    static func interface(_ contents: String, id: String = "dtmi:com:example:Test;1", extra: String = "") -> String {
        """
        {
          "@context": ["dtmi:dtdl:context;3", "dtmi:dtdl:extension:quantitativeTypes;1"],
          "@id": "\(id)",
          "@type": "Interface",\(extra)
          "contents": [\(contents)]
        }
        """
    }

    /// The errors of a model.
    static func errors(_ model: DTDLModel) -> [DTDLDiagnostic] {
        model.diagnostics.filter { $0.severity == .error }
    }
}
