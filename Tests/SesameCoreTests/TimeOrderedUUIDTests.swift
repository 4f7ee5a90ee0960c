import Foundation
import SesameCore
import Testing

/// Users and log rows take version 7 ids: time first, so new rows land at the end of their indexes.
@Suite struct TimeOrderedUUIDTests {
    @Test func versionVariantAndTimeAreWhereRFC9562PutsThem() {
        let at = Date(timeIntervalSince1970: 1_796_342_400.123)
        let id = UUID.timeOrdered(at: at)
        let text = id.uuidString
        #expect(text.hasPrefix(String(1_796_342_400_123, radix: 16, uppercase: true).leftPadded(to: 12).inserting("-", at: 8)))
        #expect(Array(text)[14] == "7")
        #expect("89AB".contains(Array(text)[19]))
        // The string sorts as the time, which is how both stores compare it.
        let later = UUID.timeOrdered(at: at.addingTimeInterval(0.001))
        #expect(text < later.uuidString)
    }

    @Test func theRandomBitsDifferWithinOneMillisecond() {
        let at = Date(timeIntervalSince1970: 1_796_342_400)
        let ids = Set((0..<1_000).map { _ in UUID.timeOrdered(at: at) })
        #expect(ids.count == 1_000)
        #expect(Set(ids.map { $0.uuidString.prefix(13) }).count == 1)
    }

    @Test func aTimeOutOfRangeIsWrittenAsZero() {
        for at in [-1, 3e11, .infinity, .nan].map(Date.init(timeIntervalSince1970:)) {
            #expect(UUID.timeOrdered(at: at).uuidString.hasPrefix("00000000-0000-7"))
        }
    }

    @Test func textIsTheUUIDString() throws {
        let edges = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), try #require(UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"))]
        for id in edges + (0..<1_000).map({ _ in UUID() }) + (0..<1_000).map({ _ in UUID.timeOrdered() }) {
            #expect(id.text == id.uuidString)
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }

    fileprivate func inserting(_ separator: Character, at offset: Int) -> String {
        var text = self
        text.insert(separator, at: text.index(text.startIndex, offsetBy: offset))
        return text
    }
}
