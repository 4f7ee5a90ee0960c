import CLDAP
import Foundation
import NIOPosix
import SesameCore

/// Password writeback, unlock and sync on OpenLDAP or Active Directory. Every operation runs on a thread of the
/// thread pool (libldap blocks), so nothing blocking runs on the server's event loops; the service account's
/// connections are pooled, and a user's own bind (sign-in, change) has a connection of its own.
public struct LDAPDirectory: Directory {
    let settings: LDAPSettings
    let pool: NIOThreadPool
    let connections: LDAPConnectionPool

    /// - Parameter connections: how many service-account connections may wait open between operations.
    public init(settings: LDAPSettings, pool: NIOThreadPool = .singleton, connections: Int = 4) {
        self.settings = settings
        self.pool = pool
        self.connections = LDAPConnectionPool(settings: settings, size: connections)
    }

    public func authenticate(userID: String, password: String) async throws -> Bool {
        try await asService { connection, settings in
            let entry = try Self.locate(userID, on: connection, settings: settings)
            try Self.refuseDisabled(entry, settings: settings)
            // The user's bind on a connection of its own: the pooled one stays the service account's.
            do {
                try LDAPConnection(settings: settings).bind(dn: entry.dn, password: password)
                return true
            } catch WritebackError.incorrectPassword {
                return false
            }
        }
    }

    public func changePassword(userID: String, current: String, new: String) async throws {
        try await asService { connection, settings in
            let entry = try Self.locate(userID, on: connection, settings: settings)
            // The change is the user's own: their bind, so that the directory applies the rules of a user's change.
            let own = try LDAPConnection(settings: settings)
            let changer: LDAPConnection
            do {
                try own.bind(dn: entry.dn, password: current)
                changer = own
            } catch WritebackError.passwordMustChange where settings.kind == .activeDirectory {
                // Active Directory refuses this user any bind until the change, so the service account sends it: a
                // change still (the current password removed, the new one added), which the directory refuses unless
                // that password matches, under the service account's "Change Password" right rather than the user's
                // (docs/behaviour.md#administrator-set-passwords).
                changer = connection
            }
            switch settings.kind {
            case .openLDAP:
                try changer.modifyPassword(of: entry.dn, old: current, new: new)
            case .activeDirectory:
                try changer.modify(entry.dn, [
                    .init(operation: .delete, attribute: "unicodePwd", values: [Self.unicodePassword(current)]),
                    .init(operation: .add, attribute: "unicodePwd", values: [Self.unicodePassword(new)]),
                ], denied: .changeNotAllowed)
            }
        }
    }

    public func resetPassword(userID: String, new: String, mustChange: Bool) async throws {
        try await asService { connection, settings in
            let entry = try Self.locate(userID, on: connection, settings: settings)
            try Self.refuseDisabled(entry, settings: settings)
            switch settings.kind {
            case .openLDAP:
                try connection.modifyPassword(of: entry.dn, old: nil, new: new)
            case .activeDirectory:
                // One modification, so that the password never stands without the mark an administrator's reset wants.
                let expiry: [LDAPConnection.Modification] = mustChange ? [.init(operation: .replace, attribute: "pwdLastSet", values: [Array("0".utf8)])] : []
                try connection.modify(entry.dn, [.init(operation: .replace, attribute: "unicodePwd", values: [Self.unicodePassword(new)])] + expiry,
                                      denied: .permissions(reason: "the service account may not reset passwords"))
            }
            try Self.unlock(entry, on: connection, settings: settings)
        }
    }

    public func unlock(userID: String) async throws {
        try await asService { connection, settings in
            let entry = try Self.locate(userID, on: connection, settings: settings)
            try Self.refuseDisabled(entry, settings: settings)
            try Self.unlock(entry, on: connection, settings: settings)
        }
    }

    public func isLocked(userID: String) async throws -> Bool {
        try await accountState(userID: userID).locked
    }

    public func accountState(userID: String) async throws -> DirectoryAccountState {
        try await asService { connection, settings in
            Self.accountState(try Self.locate(userID, on: connection, settings: settings), settings: settings)
        }
    }

    /// The stamp of the last password change, and the lock and disabled flags, of an entry
    /// (docs/security.md#sessions-and-the-directory).
    package static func accountState(_ entry: LDAPConnection.Entry, settings: LDAPSettings) -> DirectoryAccountState {
        switch settings.kind {
        case .openLDAP:
            DirectoryAccountState(
                passwordChanged: entry.first("pwdChangedTime"), locked: entry.first("pwdAccountLockedTime").map { $0 != permanentLock } ?? false,
                disabled: isDisabled(entry, settings: settings))
        case .activeDirectory:
            // The computed flag, because lockoutTime stays set after the lockout duration has passed.
            DirectoryAccountState(
                passwordChanged: entry.first("pwdLastSet"), locked: (Int(entry.first("msDS-User-Account-Control-Computed") ?? "") ?? 0) & 0x10 != 0,
                disabled: isDisabled(entry, settings: settings))
        }
    }

    public func entries() async throws -> [DirectoryEntry] {
        try await asService { connection, settings in
            let found = try connection.searchAll(
                base: settings.baseDN, filter: settings.userFilter, attributes: Self.attributes(settings), pageSize: settings.pageSize)
            return found.compactMap { Self.directoryEntry($0, settings: settings) }
        }
    }

    /// What sync reads of a directory entry; `nil` for an entry without a sign-in name.
    package static func directoryEntry(_ entry: LDAPConnection.Entry, settings: LDAPSettings) -> DirectoryEntry? {
        guard let userID = entry.first(settings.loginAttribute), !userID.isEmpty else { return nil }
        return DirectoryEntry(
            userID: userID, displayName: entry.first("displayName") ?? entry.first("cn") ?? "",
            givenName: entry.first("givenName") ?? "", surname: entry.first("sn") ?? "",
            mail: entry.first(settings.attributes.mail), mobile: entry.first(settings.attributes.mobile),
            telephoneNumber: entry.first(settings.attributes.telephoneNumber), enabled: !Self.isDisabled(entry, settings: settings))
    }

    public func status() async -> DirectoryStatus {
        let settings = self.settings
        do {
            return try await pool.runIfActive { Self.probe(settings) }
        } catch {
            return .notConfigured(.cannotConnect, detail: "\(error)")
        }
    }

    /// Connects, binds as the service account and reads the base entry, and says which step failed. A connection
    /// that fails is tried once more without checking the certificate, only to tell a refused certificate from a
    /// server that cannot be reached: that connection reads the root entry anonymously, so that the service
    /// account's password never goes to a server whose certificate was not checked.
    static func probe(_ settings: LDAPSettings) -> DirectoryStatus {
        let connection: LDAPConnection
        do {
            connection = try LDAPConnection(settings: settings)
            try connection.bind(dn: settings.bindDN, password: settings.bindPassword)
        } catch .unavailable(let reason) {
            do {
                _ = try LDAPConnection(settings: settings, checkCertificate: false)
                    .search(base: "", scope: LDAP_SCOPE_BASE, filter: "(objectClass=*)", attributes: ["1.1"])
                return .notConfigured(.tlsFailure, detail: reason)
            } catch .unavailable {
                return .notConfigured(.cannotConnect, detail: reason)
            } catch {
                return .notConfigured(.tlsFailure, detail: reason)
            }
        } catch {
            return .notConfigured(.bindRefused, detail: error.description)
        }
        do {
            _ = try connection.search(base: settings.baseDN, scope: LDAP_SCOPE_BASE, filter: "(objectClass=*)", attributes: ["1.1"])
        } catch {
            return .notConfigured(.baseNotFound, detail: error.description)
        }
        return .configured
    }

    // MARK: Entries

    /// OpenLDAP's value of `pwdAccountLockedTime` for an account locked by an administrator until further notice.
    static let permanentLock = "000001010000Z"

    static func attributes(_ settings: LDAPSettings) -> [String] {
        [settings.loginAttribute, "cn", "displayName", "givenName", "sn", settings.attributes.mail, settings.attributes.mobile,
         settings.attributes.telephoneNumber]
            + (settings.kind == .openLDAP
                ? ["pwdAccountLockedTime", "pwdChangedTime"] : ["userAccountControl", "msDS-User-Account-Control-Computed", "pwdLastSet"])
    }

    /// The one entry whose login attribute is `userID`.
    static func locate(_ userID: String, on connection: LDAPConnection, settings: LDAPSettings) throws(WritebackError) -> LDAPConnection.Entry {
        let filter = "(&\(settings.userFilter)(\(settings.loginAttribute)=\(escape(userID))))"
        let found = try connection.search(base: settings.baseDN, filter: filter, attributes: attributes(settings))
        guard found.count <= 1 else { throw .multipleMatches }
        guard let entry = found.first else { throw .userNotFound }
        return entry
    }

    static func isDisabled(_ entry: LDAPConnection.Entry, settings: LDAPSettings) -> Bool {
        switch settings.kind {
        case .openLDAP: entry.first("pwdAccountLockedTime") == permanentLock
        case .activeDirectory: (Int(entry.first("userAccountControl") ?? "") ?? 0) & 0x2 != 0
        }
    }

    /// Self-service must not bring back an account an administrator disabled.
    static func refuseDisabled(_ entry: LDAPConnection.Entry, settings: LDAPSettings) throws(WritebackError) {
        if isDisabled(entry, settings: settings) { throw .accountDisabled }
    }

    static func unlock(_ entry: LDAPConnection.Entry, on connection: LDAPConnection, settings: LDAPSettings) throws(WritebackError) {
        let denied = WritebackError.permissions(reason: "the service account may not unlock accounts")
        switch settings.kind {
        case .openLDAP:
            guard entry.first("pwdAccountLockedTime") != nil else { return }
            try connection.modify(entry.dn, [.init(operation: .delete, attribute: "pwdAccountLockedTime", values: [])], denied: denied)
        case .activeDirectory:
            try connection.modify(entry.dn, [.init(operation: .replace, attribute: "lockoutTime", values: [Array("0".utf8)])], denied: denied)
        }
    }

    /// RFC 4515: a value inside a filter, so that a typed user ID cannot change the filter. Other bytes, UTF-8
    /// included, stay as they are (RFC 4515 §3 allows UTF-8 in a filter's values).
    package static func escape(_ value: String) -> String {
        var escaped: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), 0: escaped += Array(String(format: "\\%02x", byte).utf8)
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// Active Directory's password value: the password in double quotes, UTF-16LE.
    static func unicodePassword(_ password: String) -> [UInt8] {
        "\"\(password)\"".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    // MARK: Running on the pool

    /// Runs `body` on a pooled service-account connection, on a pool thread. A refused service bind is a
    /// configuration problem, not the user's.
    private func asService<T: Sendable>(
        _ body: @escaping @Sendable (LDAPConnection, LDAPSettings) throws -> T
    ) async throws -> T {
        let (settings, connections) = (self.settings, self.connections)
        return try await pool.runIfActive {
            try connections.withConnection { try body($0, settings) }
        }
    }
}
