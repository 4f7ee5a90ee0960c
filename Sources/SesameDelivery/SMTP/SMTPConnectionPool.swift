/// The connections to the mail server kept open between messages (docs/architecture.md#mail-connections): the most
/// recently used is taken first, one left unused for `idleTime` is closed, and none is reused past `lifetime`, as
/// Postfix's own client does (its `smtp_connection_reuse_time_limit` is also 300 s).
actor SMTPConnectionPool {
    /// The delivery queue gives the mail server at most three messages at once (docs/behaviour.md#other-limits), so
    /// three idle connections carry the next burst.
    let capacity: Int
    let idleTime: Duration
    let lifetime: Duration
    private var idle: [(connection: SMTPConnection, since: ContinuousClock.Instant)] = []
    private var sweeping = false

    init(capacity: Int = 3, idleTime: Duration = .seconds(5), lifetime: Duration = .seconds(300)) {
        self.capacity = capacity
        self.idleTime = idleTime
        self.lifetime = lifetime
    }

    /// An open connection to send on, if one is waiting.
    func take() async -> SMTPConnection? {
        while let (connection, since) = idle.popLast() {
            if isReusable(connection), ContinuousClock.now - since < idleTime { return connection }
            await connection.close()
        }
        return nil
    }

    /// Keeps `connection`, which has just carried a message, for the next one.
    func giveBack(_ connection: SMTPConnection) async {
        guard idle.count < capacity, isReusable(connection) else { return await connection.close() }
        idle.append((connection, .now))
        guard !sweeping else { return }
        sweeping = true
        Task { await sweep() }
    }

    private func isReusable(_ connection: SMTPConnection) -> Bool {
        connection.isOpen && ContinuousClock.now < connection.opened + lifetime
    }

    /// Closes the connections left unused for `idleTime`, until none is left.
    private func sweep() async {
        while !idle.isEmpty {
            try? await Task.sleep(for: idleTime / 4)
            let now = ContinuousClock.now
            let unused = idle.filter { now - $0.since >= idleTime }
            idle.removeAll { now - $0.since >= idleTime }
            for entry in unused { await entry.connection.close() }
        }
        sweeping = false
    }
}
