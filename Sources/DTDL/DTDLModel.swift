import Foundation

/// The Interfaces of a set of DTDL files, read and validated together, with every diagnostic.
public struct DTDLModel: Sendable {
    /// Every Interface read, inline ones included, in file order.
    public var interfaces: [DTDLInterface]
    /// Errors and warnings of every file and across them.
    public var diagnostics: [DTDLDiagnostic]

    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Reads and validates documents given as (path, text).
    public static func read(documents: [(file: String, text: String)]) -> DTDLModel {
        var interfaces: [DTDLInterface] = []
        var diagnostics: [DTDLDiagnostic] = []
        for document in documents {
            let (read, found) = DTDLParser.parse(document.text, file: document.file)
            interfaces += read
            diagnostics += found
        }
        diagnostics += DTDLValidator.validate(interfaces)
        return DTDLModel(interfaces: interfaces, diagnostics: diagnostics)
    }

    /// Reads and validates files and folders (every `*.json` in a folder, recursively, sorted).
    /// - Throws: ``DTDLError`` when a path cannot be read.
    public static func read(paths: [String]) throws(DTDLError) -> DTDLModel {
        var documents: [(file: String, text: String)] = []
        for file in files(in: paths) {
            do {
                documents.append((file, try String(contentsOfFile: file, encoding: .utf8)))
            } catch {
                throw DTDLError([DTDLDiagnostic(.error, "cannot read the file: \(error.localizedDescription)",
                                                at: DTDLLocation(file: file, path: "", line: 1, column: 1))])
            }
        }
        if documents.isEmpty {
            throw DTDLError([DTDLDiagnostic(.error, "no such file, or no .json files in this folder",
                                            at: DTDLLocation(file: paths.joined(separator: " "), path: "", line: 1, column: 1))])
        }
        return read(documents: documents)
    }

    /// The files `paths` name: files as given, folders' `*.json` recursively, sorted.
    static func files(in paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                files.append(path)
                continue
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
            files += found.filter { $0.hasSuffix(".json") }.sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return files
    }

    /// The Interface of this DTMI.
    public func interface(_ id: String) -> DTDLInterface? {
        interfaces.first { $0.id == id }
    }

    /// The contents of `interface` with those it inherits, inherited ones first.
    public func contents(of interface: DTDLInterface) -> [DTDLContent] {
        Self.contents(of: interface, in: Dictionary(interfaces.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    static func contents(of interface: DTDLInterface, in byID: [String: DTDLInterface]) -> [DTDLContent] {
        var visited: Set<String> = []
        var result: [DTDLContent] = []
        func visit(_ current: DTDLInterface) {
            guard visited.insert(current.id).inserted else { return }
            for base in current.extends {
                if let baseInterface = byID[base] { visit(baseInterface) }
            }
            result += current.contents
        }
        visit(interface)
        return result
    }

    /// The Interfaces no other Interface uses as a Component or extends: the machines of the model.
    public var machines: [DTDLInterface] {
        var used: Set<String> = []
        for interface in interfaces {
            used.formUnion(interface.extends)
            for content in interface.contents {
                if case .component(let target) = content.kind { used.insert(target) }
            }
        }
        return interfaces.filter { !used.contains($0.id) }
    }
}
