import Foundation
import TwinModel

/// The floor as a glTF 2.0 binary (`.glb`): a node per site, area and line holding their machines, each machine a
/// node named by its asset id at its pose, with a box of its footprint as its child, so that a Unity, Unreal or
/// three.js developer loads the floor at once and swaps each box for a model. Metres, Y up, right-handed, as glTF
/// is. Pure.
public enum FloorScene {
    /// A box's height when nothing says it: about a machine's.
    public static let boxHeight = 2.0

    /// The `.glb` of `layout`.
    public static func glb(of layout: FloorLayout) -> [UInt8] {
        var nodes: [[String: Any]] = []
        var roots: [Int] = []
        var children: [PlantPath: [Int]] = [:]
        // Children first, so each group knows its children's indices.
        let items = layout.items.values.sorted { $0.path.level.rawValue > $1.path.level.rawValue || ($0.path.level == $1.path.level && $0.path < $1.path) }
        for item in items {
            var node: [String: Any] = ["name": item.path.isMachine ? item.asset : item.path.name,
                                       "extras": ["path": item.path.description, "level": item.path.level.description]]
            if item.local.position != [0, 0, 0] { node["translation"] = item.local.position }
            if item.local.rotation != [0, 0, 0, 1] { node["rotation"] = item.local.rotation }
            if item.path.isMachine {
                if let kind = item.kind { node["extras"] = ["path": item.path.description, "level": "machine", "kind": kind] }
                nodes.append(["name": "\(item.asset)_box", "mesh": 0, "translation": [0, boxHeight / 2, 0],
                              "scale": [item.footprint.width, boxHeight, item.footprint.depth]])
                node["children"] = [nodes.count - 1]
            } else if let own = children[item.path] {
                node["children"] = own.sorted()
            }
            nodes.append(node)
            if let parent = item.path.parent { children[parent, default: []].append(nodes.count - 1) } else { roots.append(nodes.count - 1) }
        }
        let (binary, accessors, views) = unitCube()
        let document: [String: Any] = [
            "asset": ["version": "2.0", "generator": "TwinHub"],
            "scene": 0,
            "scenes": [["name": "floor", "nodes": roots.sorted()]],
            "nodes": nodes,
            "meshes": [["name": "machine_box", "primitives": [["attributes": ["POSITION": 0, "NORMAL": 1], "indices": 2, "material": 0]]]],
            "materials": [["name": "machine", "pbrMetallicRoughness": ["baseColorFactor": [0.55, 0.6, 0.65, 1], "metallicFactor": 0.1, "roughnessFactor": 0.8]]],
            "accessors": accessors,
            "bufferViews": views,
            "buffers": [["byteLength": binary.count]],
        ]
        let json = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return container(json: Array(json), binary: binary)
    }

    /// A cube of side 1 centred on the origin: 24 vertices (4 a face, for flat normals), 36 indices.
    private static func unitCube() -> (binary: [UInt8], accessors: [[String: Any]], views: [[String: Any]]) {
        let faces: [(normal: [Float], corners: [[Float]])] = [
            ([1, 0, 0], [[0.5, -0.5, -0.5], [0.5, 0.5, -0.5], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5]]),
            ([-1, 0, 0], [[-0.5, -0.5, 0.5], [-0.5, 0.5, 0.5], [-0.5, 0.5, -0.5], [-0.5, -0.5, -0.5]]),
            ([0, 1, 0], [[-0.5, 0.5, -0.5], [-0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, -0.5]]),
            ([0, -1, 0], [[-0.5, -0.5, 0.5], [-0.5, -0.5, -0.5], [0.5, -0.5, -0.5], [0.5, -0.5, 0.5]]),
            ([0, 0, 1], [[0.5, -0.5, 0.5], [0.5, 0.5, 0.5], [-0.5, 0.5, 0.5], [-0.5, -0.5, 0.5]]),
            ([0, 0, -1], [[-0.5, -0.5, -0.5], [-0.5, 0.5, -0.5], [0.5, 0.5, -0.5], [0.5, -0.5, -0.5]]),
        ]
        var positions: [Float] = [], normals: [Float] = [], indices: [UInt16] = []
        for (face, (normal, corners)) in faces.enumerated() {
            for corner in corners {
                positions += corner
                normals += normal
            }
            // Counter-clockwise seen from outside, as glTF's front faces are.
            let base = UInt16(face * 4)
            indices += [base, base + 1, base + 2, base, base + 2, base + 3]
        }
        var binary: [UInt8] = []
        func append<T>(_ values: [T]) { values.withUnsafeBytes { binary += $0 } }
        append(positions)
        append(normals)
        append(indices)
        let positionBytes = positions.count * 4, normalBytes = normals.count * 4, indexBytes = indices.count * 2
        while binary.count % 4 != 0 { binary.append(0) }
        let views: [[String: Any]] = [
            ["buffer": 0, "byteOffset": 0, "byteLength": positionBytes, "target": 34962],
            ["buffer": 0, "byteOffset": positionBytes, "byteLength": normalBytes, "target": 34962],
            ["buffer": 0, "byteOffset": positionBytes + normalBytes, "byteLength": indexBytes, "target": 34963],
        ]
        let accessors: [[String: Any]] = [
            ["bufferView": 0, "componentType": 5126, "count": 24, "type": "VEC3", "min": [-0.5, -0.5, -0.5], "max": [0.5, 0.5, 0.5]],
            ["bufferView": 1, "componentType": 5126, "count": 24, "type": "VEC3"],
            ["bufferView": 2, "componentType": 5123, "count": 36, "type": "SCALAR"],
        ]
        return (binary, accessors, views)
    }

    /// The GLB container: a 12-byte header, the JSON chunk (padded with spaces), the binary chunk (padded with zeros).
    private static func container(json: [UInt8], binary: [UInt8]) -> [UInt8] {
        var json = json
        while json.count % 4 != 0 { json.append(0x20) }
        var binary = binary
        while binary.count % 4 != 0 { binary.append(0) }
        var glb: [UInt8] = []
        func word(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { glb += $0 } }
        word(0x4654_6C67)  // "glTF"
        word(2)
        word(UInt32(12 + 8 + json.count + 8 + binary.count))
        word(UInt32(json.count))
        word(0x4E4F_534A)  // "JSON"
        glb += json
        word(UInt32(binary.count))
        word(0x004E_4942)  // "BIN\0"
        glb += binary
        return glb
    }
}
