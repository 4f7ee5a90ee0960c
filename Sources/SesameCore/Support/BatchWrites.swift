/// The batches an import or a sync has handed to the store and that are not yet written, with the user IDs each holds
/// (docs/scale.md#batches). A store writes one batch at a time: while the next batch is checked, at most two are
/// alive, one in its transaction and the other making its rows or waiting its turn.
struct BatchWrites<Result: Sendable> {
    private var writes: [(task: Task<Result, Never>, userIDs: Set<String>)] = []

    /// Batches alive once the next one is being checked.
    static var limit: Int { 2 }

    /// Hands a batch holding `userIDs` (lowercased) to `write`, which starts at once.
    mutating func start(_ userIDs: Set<String>, _ write: @escaping @Sendable () async -> Result) {
        writes.append((Task { await write() }, userIDs))
    }

    /// The results of the oldest writes, waited for until no more than ``limit`` are alive.
    mutating func beyondLimit() async -> [Result] {
        var results: [Result] = []
        while writes.count > Self.limit { results.append(await writes.removeFirst().task.value) }
        return results
    }

    /// Every write's result, all waited for, when one of them holds any of `userIDs` (lowercased): a row for a user
    /// still being written must find the user written, to update it rather than insert it a second time.
    mutating func waitIfWriting(any userIDs: some Sequence<String>) async -> [Result] {
        guard userIDs.contains(where: { userID in writes.contains { $0.userIDs.contains(userID) } }) else { return [] }
        return await finish()
    }

    /// Every write's result, in the order they were started.
    mutating func finish() async -> [Result] {
        var results: [Result] = []
        for write in writes { results.append(await write.task.value) }
        writes = []
        return results
    }
}
