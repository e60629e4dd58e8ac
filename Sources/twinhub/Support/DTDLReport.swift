import DTDL
import Foundation

/// How the DTDL commands print what they found and write what they made.
enum DTDLReport {
    /// Warnings on standard error, one a line: `Warning: FILE:LINE:COLUMN: /json/path: reason`; a warning about
    /// inherited contents, the same for every kind that inherits them, once. Returns how many were printed.
    @discardableResult
    static func warn(_ diagnostics: [DTDLDiagnostic]) -> Int {
        var printed: Set<DTDLDiagnostic> = []
        for diagnostic in diagnostics where printed.insert(diagnostic).inserted {
            FileHandle.standardError.write(Data("Warning: \(diagnostic.description)\n".utf8))
        }
        return printed.count
    }

    /// Every error, each line `Error: FILE:LINE:COLUMN: /json/path: reason` once printed.
    static func configurationError(_ errors: [DTDLDiagnostic]) -> ConfigurationError {
        ConfigurationError(errors.map(\.description).joined(separator: "\nError: "))
    }

    static func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError("\(path): cannot make the folder: \(error.localizedDescription)")
        }
    }

    static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ConfigurationError("\(path): cannot write the file: \(error.localizedDescription)")
        }
    }
}
