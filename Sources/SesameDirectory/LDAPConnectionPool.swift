import Foundation
import SesameCore

/// Service-account connections kept open between operations, so that a reset or a look-up does not pay for a TLS
/// handshake and a bind each time. A connection is lent to one operation at a time and comes back only when that
/// operation ended well; at most `size` wait idle.
final class LDAPConnectionPool: @unchecked Sendable {
    // @unchecked: the idle list is only touched under the lock, and a connection is used by one thread at a time.
    private let lock = NSLock()
    private var idle: [LDAPConnection] = []
    private let settings: LDAPSettings
    let size: Int

    init(settings: LDAPSettings, size: Int) {
        self.settings = settings
        self.size = size
    }

    /// Runs `body` on a service-account connection, on the calling (pool) thread. A pooled connection the directory
    /// has since dropped is replaced once by a fresh one.
    func withConnection<T>(_ body: (LDAPConnection) throws -> T) throws -> T {
        if let pooled = takeIdle() {
            do {
                let result = try body(pooled)
                giveBack(pooled)
                return result
            } catch WritebackError.unavailable {
                // Fall through to a fresh connection: the pooled one may have been closed by the server.
            }
        }
        let connection = try LDAPConnection(settings: settings)
        do {
            try connection.bind(dn: settings.bindDN, password: settings.bindPassword)
        } catch WritebackError.incorrectPassword, WritebackError.accountLocked, WritebackError.accountDisabled {
            throw WritebackError.unavailable(reason: "the service account's bind was refused (SESAME_LDAP_BIND_DN, SESAME_LDAP_BIND_PASSWORD)")
        }
        let result = try body(connection)
        giveBack(connection)
        return result
    }

    private func takeIdle() -> LDAPConnection? {
        lock.withLock { idle.popLast() }
    }

    private func giveBack(_ connection: LDAPConnection) {
        lock.withLock { if idle.count < size { idle.append(connection) } }
    }
}
