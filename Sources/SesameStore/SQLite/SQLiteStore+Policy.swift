import Foundation
import GRDB
import SesameCore

// MARK: PolicyStore

extension SQLiteStore {
    public func policy() async throws -> VersionedPolicy? {
        try lookUp { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT version, body FROM policy WHERE id = 1") else { return nil }
            let body: String = row["body"]
            return VersionedPolicy(policy: try JSONDecoder().decode(Policy.self, from: Data(body.utf8)), version: row["version"])
        }
    }

    public func savePolicy(_ policy: Policy, expectedVersion: Int) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = String(decoding: try encoder.encode(policy), as: UTF8.self)
        return try await write { db in
            if expectedVersion == 0 {
                try db.execute(sql: "INSERT INTO policy (id, version, body) VALUES (1, 1, ?) ON CONFLICT (id) DO NOTHING", arguments: [body])
            } else {
                try db.execute(sql: "UPDATE policy SET version = version + 1, body = ? WHERE id = 1 AND version = ?",
                               arguments: [body, expectedVersion])
            }
            guard db.changesCount == 1 else { throw StoreError.conflict("the policy") }
            return expectedVersion + 1
        }
    }
}

// MARK: BrandingStore

extension SQLiteStore {
    public func logo() async throws -> Logo? {
        try lookUp { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT type, data FROM branding WHERE id = 1") else { return nil }
            return Logo(data: row["data"], type: row["type"])
        }
    }

    public func saveLogo(_ logo: Logo?) async throws {
        try await write { db in
            if let logo {
                try db.execute(
                    sql: "INSERT INTO branding (id, type, data) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET type = excluded.type, data = excluded.data",
                    arguments: [logo.type, logo.data])
            } else {
                try db.execute(sql: "DELETE FROM branding")
            }
        }
    }
}
