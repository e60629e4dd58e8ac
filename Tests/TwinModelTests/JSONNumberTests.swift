import Foundation
import TestSupport
import Testing
import TwinModel

/// How ``JSONWriter`` writes numbers: its short path for decimals of few places must write exactly what
/// `description` writes (the text every payload had before it), and everything must read back as the same Double.
@Suite("JSON numbers")
struct JSONNumberTests {
    static func written(_ value: Double) -> String {
        var writer = JSONWriter()
        writer.element(number: value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("Decimals of zero to eight places, at every magnitude, are written as description writes them")
    func decimalsMatchDescription() {
        var random = SplitMix64(seed: 42)
        var checked = 0
        for _ in 0..<200_000 {
            let places = Int(random.next() % 9)
            let magnitude = pow(10, Double(Int(random.next() % 14)) - 4)
            let raw = Double(random.next() % 1_000_000) / 1_000_000 * magnitude * (random.next() % 2 == 0 ? 1 : -1)
            let scale = pow(10, Double(places))
            let value = (raw * scale).rounded() / scale
            let expected = value == 0 && value.sign == .minus ? "-0"
                : value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            #expect(Self.written(value) == expected, "\(value)")
            #expect(Double(Self.written(value)) == value)
            checked += 1
        }
        #expect(checked == 200_000)
    }

    @Test("Edges of the short path: its bounds, signs, and values with more places than it writes", arguments: [
        0.001, 0.000999, 0.0011, 999_999_999.5, 1_000_000_000.5, -0.5, -123.456, 0.1 + 0.2, 1.0 / 3.0, 2.675, 1e-7, 123_456.000001,
        0.1234567, 5e-4, -0.001, 314_159.265358,
    ])
    func edges(value: Double) {
        #expect(Self.written(value) == String(value))
        #expect(Double(Self.written(value)) == value)
    }

    @Test("Integers, negative zero and non-finite numbers keep their forms")
    func specialForms() {
        #expect(Self.written(12) == "12")
        #expect(Self.written(-3) == "-3")
        #expect(Self.written(-0.0) == "-0")
        #expect(Self.written(.nan) == "null")
        #expect(Self.written(1e20) == String(1e20))
    }
}
