/// Whose turn it is to write a batch. A batch makes its rows, then waits here while the batch before it is written,
/// so that the writer's queue never holds two batches: the server's own writes (a sign-in, a reset) queue behind one
/// batch's transaction at most (docs/scale.md#batches).
actor BatchTurn {
    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Whether another batch is waiting for the turn (the writer's cache is then kept for it).
    var isAwaited: Bool { !waiting.isEmpty }

    /// Whether batches are being written (the WAL is then theirs to checkpoint).
    var isTaken: Bool { taken }

    func take() async {
        guard taken else {
            taken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func pass() {
        if waiting.isEmpty { taken = false } else { waiting.removeFirst().resume() }
    }
}
