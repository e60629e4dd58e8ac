import Foundation
import Testing
import Twins

@Suite("Sample history storage")
struct SampleHistoryTests {
    static func history() -> SampleHistory {
        var history = SampleHistory(capacity: 4)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<6 { history.append(Double(index) * 1.5, at: start.addingTimeInterval(Double(index))) }
        return history
    }

    @Test("A history survives JSON packed, ring position included")
    func roundTrip() throws {
        let history = Self.history()
        let data = try JSONEncoder().encode(history)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("["), "values and offsets are packed, not arrays: \(text)")
        let decoded = try JSONDecoder().decode(SampleHistory.self, from: data)
        #expect(decoded == history)
        #expect(decoded.samples.map(\.value) == [3, 4.5, 6, 7.5])
    }

    @Test("A history stored as number arrays (before packing) still reads")
    func readsArrays() throws {
        let old = #"{"capacity":4,"values":[3,4.5,6,7.5],"offsets":[2,3,4,5],"base":1800000000,"next":0}"#
        let decoded = try JSONDecoder().decode(SampleHistory.self, from: Data(old.utf8))
        #expect(decoded.samples.map(\.value) == [3, 4.5, 6, 7.5])
        #expect(decoded.samples.first?.time == Date(timeIntervalSince1970: 1_800_000_002))
    }

    @Test("An inconsistent stored history is refused, not trusted", arguments: [
        #"{"capacity":4,"values":[1,2],"offsets":[1],"base":0,"next":0}"#,
        #"{"capacity":2,"values":[1,2,3],"offsets":[1,2,3],"base":0,"next":0}"#,
        #"{"capacity":4,"values":[1],"offsets":[1],"base":0,"next":9}"#,
        #"{"capacity":4,"values":"AAA=","offsets":[1],"base":0,"next":0}"#,
    ])
    func refusesInconsistent(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SampleHistory.self, from: Data(json.utf8)) }
    }
}
