import Synchronization
import Testing

@testable import SesameCore

/// docs/scale.md#batches: the writes an import or a sync keeps alive while it checks the next batch.
@Suite struct BatchWritesTests {
    @Test func theOldestAreWaitedForBeyondTheLimitInTheirOrder() async {
        let finished = Mutex<[Int]>([])
        var writes = BatchWrites<Int>()
        for number in 1...4 {
            writes.start(["user\(number)"]) {
                finished.withLock { $0.append(number) }
                return number
            }
        }
        #expect(await writes.beyondLimit() == [1, 2])
        #expect(finished.withLock { Set($0).isSuperset(of: [1, 2]) })
        #expect(await writes.beyondLimit() == [], "two alive is the limit")
        #expect(await writes.finish() == [3, 4])
        #expect(await writes.finish() == [])
    }

    @Test func aUserBeingWrittenWaitsForEveryWrite() async {
        var writes = BatchWrites<Int>()
        writes.start(["alice", "bob"]) { 1 }
        writes.start(["carol"]) { 2 }
        #expect(await writes.waitIfWriting(any: ["dave", "erin"]) == [], "nobody of theirs is being written")
        #expect(await writes.waitIfWriting(any: ["erin", "bob"]) == [1, 2])
        #expect(await writes.finish() == [])
    }
}
