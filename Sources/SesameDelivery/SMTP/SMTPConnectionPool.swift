/// The connections to the mail server kept open between messages (docs/architecture.md#mail-connections): the most
/// recently used is taken first, one left unused for `idleTime` is closed, and none is reused past `lifetime`, as
/// Postfix's own client does (its `smtp_connection_reuse_time_limit` is also 300 s).
actor SMTPConnectionPool {
    /// The delivery queue gives the mail server at most this many messages at once (docs/behaviour.md#other-limits),
    /// so as many idle connections carry the next burst.
    let capacity: Int
    let idleTime: Duration
    let lifetime: Duration
    private var idle: [(connection: SMTPConnection, since: ContinuousClock.Instant)] = []
    private var sweeping = false

    init(capacity: Int = DeliveryQueue.Settings.defaultMailSessions, idleTime: Duration = .seconds(5), lifetime: Duration = .seconds(300)) {
        self.capacity = capacity
        self.idleTime = idleTime
        self.lifetime = lifetime
    }

    /// An open connection to send on, if one is waiting.
    func take() async -> SMTPConnection? {
        while let (connection, since) = idle.popLast() {
            if isReusable(connection, idleSince: since) { return connection }
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

    /// Open, younger than its lifetime, and (when it waits here) unused for less than the idle time.
    private func isReusable(_ connection: SMTPConnection, idleSince since: ContinuousClock.Instant = .now) -> Bool {
        let now = ContinuousClock.now
        return connection.isOpen && now < connection.opened + lifetime && now - since < idleTime
    }

    /// Closes the connections no longer worth taking (left unused for `idleTime`, or past their lifetime), until
    /// none is left.
    private func sweep() async {
        while !idle.isEmpty {
            try? await Task.sleep(for: idleTime / 4)
            var unused: [SMTPConnection] = []
            idle.removeAll { entry in
                guard !isReusable(entry.connection, idleSince: entry.since) else { return false }
                unused.append(entry.connection)
                return true
            }
            for connection in unused { await connection.close() }
        }
        sweeping = false
    }
}
