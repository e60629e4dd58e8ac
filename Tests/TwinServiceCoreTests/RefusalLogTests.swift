import Testing
import TwinModel
@testable import TwinServiceCore

@Suite("Dead letters and their log lines")
struct RefusalLogTests {
    @Test("Logged: the first ten refusals of each reason, then every thousandth")
    func limits() {
        var log = RefusalLog()
        let logged = (1...3000).compactMap { _ in log.note("malformed_json") }
        #expect(logged == Array(1...10) + [1000, 2000, 3000])
        #expect((1...12).compactMap { _ in log.note("too_large") } == Array(1...10), "counted per reason")
    }

    @Test("Every refused message is a dead letter with its topic, reason, detail and payload; the log is limited per reason")
    func deadLetters() {
        var bench = CoreBench(storing: false)
        var letters = 0
        var lines: [String] = []
        for _ in 0..<2000 {
            let actions = bench.undecodable("m1", .malformedJSON, at: 0)
            letters += actions.deadLetters.count
            lines += actions.logLines
        }
        for _ in 0..<12 { lines += bench.undecodable("m1", .nonFinite, at: 0).logLines }
        #expect(letters == 2000)
        #expect(lines.filter { $0.hasPrefix("refused (malformed_json,") }.count == 12)
        #expect(lines.filter { $0.hasPrefix("refused (non_finite,") }.count == 10)
        #expect(lines.last == "refused (non_finite, #10) on t/m1/telemetry: bad")
        let letter = bench.undecodable("m1", .tooLarge, at: 1).deadLetters
        #expect(letter == [TwinServiceCore.DeadLetter(topic: "t/m1/telemetry", reason: "too_large", detail: "bad", payload: Array("p".utf8), time: at(1))])
    }
}
