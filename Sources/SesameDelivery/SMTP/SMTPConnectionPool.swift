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

    init(capacity: Int = 3, idleTime: Duration = .seconds(15), lifetime: Duration = .seconds(300)) {
        self.capacity = capacity
        self.idleTime = idleTime
        self.lifetime = lifetime
    }

    /// An open connection to send on, if one is waiting.
    func take() -> SMTPConnection? {
        while let (connection, _) = idle.popLast() {
            if isReusable(connection) { return connection }
            connection.close()
        }
        return nil
    }

    /// Keeps `connection`, which has just carried a message, for the next one.
    func giveBack(_ connection: SMTPConnection) {
        guard idle.count < capacity, isReusable(connection) else { return connection.close() }
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
            idle.removeAll { entry in
                guard now - entry.since >= idleTime else { return false }
                entry.connection.close()
                return true
            }
        }
        sweeping = false
    }
}
