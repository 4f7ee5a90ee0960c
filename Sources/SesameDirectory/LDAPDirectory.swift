import NIOPosix

/// Password writeback and unlock on an OpenLDAP directory: each operation opens a connection on a thread of its
/// own (libldap blocks), binds, acts and closes, so nothing blocking ever runs on the server's event loops.
public struct LDAPDirectory: Sendable {
    let settings: LDAPSettings
    let pool: NIOThreadPool

    public init(settings: LDAPSettings, pool: NIOThreadPool = .singleton) {
        self.settings = settings
        self.pool = pool
    }

    /// Whether `password` is `dn`'s: a bind as the user. A locked account says so rather than "wrong password".
    public func verify(dn: String, password: String) async throws -> Bool {
        do {
            try await run(as: dn, password: password) { _ in }
            return true
        } catch DirectoryError.invalidCredentials {
            return false
        }
    }

    /// The user changes their own password (they know the current one); the directory's policy applies.
    public func changePassword(dn: String, current: String, new: String) async throws {
        try await run(as: dn, password: current) { connection in try connection.modifyPassword(of: dn, old: current, new: new) }
    }

    /// A reset by the service account; a reset always unlocks.
    public func resetPassword(dn: String, new: String) async throws {
        try await run(as: settings.bindDN, password: settings.bindPassword) { connection in
            try connection.modifyPassword(of: dn, old: nil, new: new)
            try connection.deleteAttribute("pwdAccountLockedTime", of: dn)
        }
    }

    /// Clears the lockout without changing the password.
    public func unlock(dn: String) async throws {
        try await run(as: settings.bindDN, password: settings.bindPassword) { connection in
            try connection.deleteAttribute("pwdAccountLockedTime", of: dn)
        }
    }

    public func isLocked(dn: String) async throws -> Bool {
        try await run(as: settings.bindDN, password: settings.bindPassword) { connection in
            try !connection.values(of: "pwdAccountLockedTime", on: dn).isEmpty
        }
    }

    private func run<T: Sendable>(as dn: String, password: String, _ body: @escaping @Sendable (LDAPConnection) throws -> T) async throws -> T {
        let settings = self.settings
        return try await pool.runIfActive {
            try body(try LDAPConnection(settings: settings, dn: dn, password: password))
        }
    }
}
