import Foundation
import GRDB
import SesameCore

// MARK: CodeStore

extension SQLiteStore {
    public func insertChallenge(_ challenge: CodeChallenge) async throws {
        try await write { db in
            try db.execute(cached: """
                INSERT INTO code_challenges (id, user_id, purpose, channel, destination, mac, issued_at, expires_at, attempts_left, consumed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    challenge.id.text, challenge.userID.text, challenge.purpose.rawValue, challenge.channel.rawValue,
                    challenge.destination, Data(challenge.mac), challenge.issuedAt.unixSeconds, challenge.expiresAt.unixSeconds,
                    challenge.attemptsLeft, challenge.consumedAt?.unixSeconds,
                ])
        }
    }

    public func challenge(id: UUID) async throws -> CodeChallenge? {
        try lookUp { db in
            try Row.fetchOne(db, cached: "SELECT * FROM code_challenges WHERE id = ?", arguments: [id.text]).map(Self.challenge)
        }
    }

    public func takeAttempt(challengeID: UUID, now: Date) async throws -> CodeChallenge? {
        try await write { db in
            try Row.fetchOne(db, cached: """
                UPDATE code_challenges SET attempts_left = attempts_left - 1
                WHERE id = ? AND consumed_at IS NULL AND expires_at > ? AND attempts_left > 0
                RETURNING *
                """, arguments: [challengeID.text, now.unixSeconds]).map(Self.challenge)
        }
    }

    public func consumeChallenge(id: UUID, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(cached: "UPDATE code_challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL",
                           arguments: [now.unixSeconds, id.text])
            return db.changesCount == 1
        }
    }

    public func deleteChallenges(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(cached: "DELETE FROM code_challenges WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }

    static func challenge(from row: Row) throws -> CodeChallenge {
        let mac: Data = row["mac"]
        return CodeChallenge(
            id: try row.uuid("id"), userID: try row.uuid("user_id"), purpose: try row.value(CodePurpose.self, "purpose"),
            channel: try row.value(CodeChannel.self, "channel"), destination: row["destination"], mac: Array(mac),
            issuedAt: try row.requiredDate("issued_at"), expiresAt: try row.requiredDate("expires_at"), attemptsLeft: row["attempts_left"],
            consumedAt: row.date("consumed_at"))
    }
}
