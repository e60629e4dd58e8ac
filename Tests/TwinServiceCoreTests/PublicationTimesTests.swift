import Foundation
import Testing
@testable import TwinServiceCore

@Suite("Publication times by twin serial")
struct PublicationTimesTests {
    @Test("A twin never published has no time; a set time reads back; setting nil forgets it; serials may come in any order")
    func times() {
        var times = PublicationTimes()
        #expect(times[0] == nil && times[41] == nil)
        times[5] = Date(timeIntervalSince1970: 1_000)
        times[2] = Date(timeIntervalSince1970: 2_000.5)
        #expect(times[5] == Date(timeIntervalSince1970: 1_000) && times[2] == Date(timeIntervalSince1970: 2_000.5))
        #expect(times[3] == nil && times[6] == nil)
        times[5] = nil
        #expect(times[5] == nil && times[2] != nil)
    }
}
