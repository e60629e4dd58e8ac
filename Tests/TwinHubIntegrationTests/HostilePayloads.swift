import Foundation
import TestSupport

/// Seeded hostile payloads, each built around a valid one: mutated bytes, random bytes, NaN and Infinity, numbers no
/// double holds, deep nesting, payloads above the service's maximum, raw control characters, invalid UTF-8, wrong types,
/// missing and duplicate keys, and things that are JSON but not an object. The same seed gives the same payloads.
struct HostilePayloads {
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// A number from 0 to `bound - 1`.
    mutating func below(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// Bytes a mutation inserts: JSON's own punctuation, digits, the letters of its literals, and a few bytes that break it.
    private static let alphabet = Array(#"{}[]":,.-+eE0123456789truefalsnNaI\u"#.utf8) + [0, 0x01, 0x1F, 0x7F, 0xC3, 0xFF, 0x0A]

    /// Texts no JSON number may be, or that no double holds.
    private static let badNumbers = ["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "01", "1.", "-", ".5", "0x1F", "+1", "1e"]

    /// A hostile payload made from `valid`, a valid payload (a JSON object).
    mutating func payload(around valid: [UInt8]) -> [UInt8] {
        switch below(13) {
        case 0, 1: return mutated(valid)
        case 2: return (0..<below(200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 3: return replacingFirstNumber(in: valid, with: pick(Self.badNumbers))
        case 4:
            let depth = 20 + below(3000)
            return below(2) == 0 ? Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
                : Array((String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)).utf8)
        case 5:
            // Above the service's 64 KiB, now and then far above: a valid object with a long field in front.
            let size = below(10) == 0 ? 300_000 + below(700_000) : 65_537 + below(4096)
            return Array(#"{"pad":""#.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size) + Array(#"","#.utf8) + valid.dropFirst()
        case 6: return insertingInFirstString(of: valid, [UInt8(below(0x20))])  // a raw control character
        case 7: return insertingInFirstString(of: valid, pick([[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]]))
        case 8: return retyped(valid)
        case 9: return withoutAKey(valid)
        case 10:
            // The first member twice.
            guard let comma = valid.firstIndex(of: UInt8(ascii: ",")) else { return valid + valid }
            return Array(valid[...comma]) + Array(valid.dropFirst())
        case 11: return Array(pick(["null", "[]", "42", #""text""#, "   ", "{}", "{", "}", "true", "[1,2,3]", "\u{FEFF}{}", "{}{}", #"{"a":1}x"#]).utf8)
        default: return valid + Array(pick(["}", "x", ",", "\u{0}", " 1"]).utf8)
        }
    }

    /// `valid` with one to four bytes changed, inserted, removed, or the rest cut off.
    private mutating func mutated(_ valid: [UInt8]) -> [UInt8] {
        var bytes = valid
        for _ in 0..<(1 + below(4)) {
            let position = bytes.isEmpty ? 0 : below(bytes.count)
            switch below(4) {
            case 0 where !bytes.isEmpty: bytes[position] = pick(Self.alphabet)
            case 1: bytes.insert(pick(Self.alphabet), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            default: bytes = Array(bytes[..<position])
            }
        }
        return bytes
    }

    private func replacingFirstNumber(in valid: [UInt8], with text: String) -> [UInt8] {
        let isNumber: (UInt8) -> Bool = { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
        // A number is a value: it follows a colon.
        guard let colon = valid.indices.first(where: { valid[$0] == UInt8(ascii: ":") && $0 + 1 < valid.count && isNumber(valid[$0 + 1]) }) else {
            return Array(#"{"value":"#.utf8) + Array(text.utf8) + [UInt8(ascii: "}")]
        }
        let end = valid[(colon + 1)...].firstIndex { !isNumber($0) && $0 != UInt8(ascii: "e") } ?? valid.endIndex
        return Array(valid[...colon]) + Array(text.utf8) + Array(valid[end...])
    }

    private mutating func insertingInFirstString(of valid: [UInt8], _ bytes: [UInt8]) -> [UInt8] {
        guard let quote = valid.firstIndex(of: UInt8(ascii: "\"")) else { return bytes + valid }
        var result = valid
        result.insert(contentsOf: bytes, at: quote + 1)
        return result
    }

    /// `valid` with one member's value of another type.
    private mutating func retyped(_ valid: [UInt8]) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(valid))) as? [String: Any], !object.isEmpty else { return valid }
        let key = pick(object.keys.sorted())
        let values: [Any] = [123, "text", [1, 2], ["nested": true], NSNull(), true, -1, 1e300, "", "2026-13-45T99:99:99Z"]
        object[key] = pick(values)
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map(Array.init) ?? valid
    }

    private mutating func withoutAKey(_ valid: [UInt8]) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(valid))) as? [String: Any], !object.isEmpty else { return valid }
        object[pick(object.keys.sorted())] = nil
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map(Array.init) ?? valid
    }
}
