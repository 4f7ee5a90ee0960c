import Foundation

/// `sesame directory sync` (and its schedule in `serve`): creates and updates directory users from the directory's
/// entries, with their names, whether they are enabled, and the pre-populated contact data resets use (mobile
/// phone, office phone, alternate email). Nothing is deleted: a user the directory no longer lists is reported for
/// an administrator to decide, and a local user with the same user ID is left alone and reported.
public struct DirectorySync: Sendable {
    public static let actor = "directory sync"

    private let store: any Store
    private let directory: any Directory
    private let clock: any WallClock
    private let outbox: any Outbox
    private let reportLinks: ReportLinks

    /// - Parameters:
    ///   - outbox: where notices of changed contact data go, as for an administrator's change.
    ///   - reportLinks: the notices' "This wasn't me" links (docs/behaviour.md#this-wasnt-me).
    public init(store: any Store, directory: any Directory, clock: any WallClock, outbox: any Outbox, reportLinks: ReportLinks) {
        self.store = store
        self.directory = directory
        self.clock = clock
        self.outbox = outbox
        self.reportLinks = reportLinks
    }

    /// Entries compared and written per transaction (docs/scale.md#batches).
    public static let batchSize = 2_000

    public func run() async throws -> SyncReport {
        var report = SyncReport()
        let entries = try await directory.entries()
        let listed = Set(entries.map { $0.userID.lowercased() })
        let policy = try await store.policy()?.policy ?? Policy()
        let named = entries.sorted(by: { $0.userID < $1.userID }).filter { usable($0, report: &report) }
        // A batch is written while the next is compared (docs/scale.md#batches).
        var writing = BatchWrites<(any Error)?>()
        do {
            for start in stride(from: 0, to: named.count, by: Self.batchSize) {
                let entries = named[start..<min(start + Self.batchSize, named.count)]
                let userIDs = Set(entries.map { $0.userID.lowercased() })
                // An entry for a user still being written (the same user ID in another case) must find it written.
                try Self.firstFailure(await writing.waitIfWriting(any: userIDs))
                let (batch, changes) = try await compare(entries, policy: policy, report: &report)
                writing.start(userIDs) { await write(batch, changes, policy: policy) }
                try Self.firstFailure(await writing.beyondLimit())
            }
        } catch {
            // A batch handed to the store is written, and its follow-ups done, before the error is told: the next run
            // would see no change and never send its notices.
            _ = await writing.finish()
            throw error
        }
        try Self.firstFailure(await writing.finish())
        report.missing = try await store.userIDs(from: .directory).filter { !listed.contains($0.lowercased()) }
        return report
    }

    private static func firstFailure(_ results: [(any Error)?]) throws {
        if let failure = results.lazy.compactMap({ $0 }).first { throw failure }
    }

    /// One batch compared with its users, read in one query: what to create and update, and the changes that have
    /// follow-ups once written.
    private func compare(
        _ entries: ArraySlice<DirectoryEntry>, policy: Policy, report: inout SyncReport
    ) async throws -> (UserBatch, [(before: User, after: User)]) {
        var existing = Dictionary(
            try await store.users(userIDs: entries.map(\.userID)).map { ($0.userID.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var batch = UserBatch()
        var changes: [(before: User, after: User)] = []
        for entry in entries {
            let key = entry.userID.lowercased()
            guard var user = existing[key] else {
                var user = User(userID: entry.userID, source: .directory, createdAt: clock.now)
                apply(entry, to: &user, phones: policy.phones, report: &report)
                batch.inserts.append(user)
                batch.audit.append(audit(.userCreated, user.userID, detail: ""))
                report.created.append(user.userID)
                // A second entry for this user ID (in another case) updates the first, as it would have in turn.
                existing[key] = user
                continue
            }
            guard user.source == .directory else {
                report.conflicts.append(entry.userID)
                continue
            }
            let before = user
            apply(entry, to: &user, phones: policy.phones, report: &report)
            let changed = Self.changedFields(before, user)
            guard !changed.isEmpty else {
                report.unchanged += 1
                continue
            }
            existing[key] = user
            if let created = batch.inserts.firstIndex(where: { $0.id == user.id }) {
                batch.inserts[created] = user
            } else {
                batch.updates.removeAll { $0.id == user.id }
                batch.updates.append(user)
                changes.append((before, user))
            }
            report.updated[user.userID] = changed
            batch.audit.append(audit(.userUpdated, user.userID, detail: changed.joined(separator: ", ")))
        }
        return (batch, changes)
    }

    /// Writes a batch in one transaction, then does what follows a change (sessions ended, notices) user by user;
    /// returns the first failure.
    private func write(_ batch: UserBatch, _ changes: [(before: User, after: User)], policy: Policy) async -> (any Error)? {
        do {
            // Nothing changed in this batch: no transaction (on SQLite it would also empty the writer's cache).
            if batch.count > 0 { try await store.apply(batch) }
        } catch {
            return error
        }
        // The batch is written: every user's follow-up is attempted even when one fails, and the first failure is
        // reported at the end, since the next run sees no change and would not try again.
        var failure: (any Error)?
        for (before, user) in changes {
            do {
                // Disabled in the directory: signed out here too.
                if before.enabled && !user.enabled { _ = try await store.deleteSessions(userID: user.id, keeping: nil) }
                for notice in try await reportLinks.notices(
                    of: ContactChange(before: before.authentication, after: user.authentication), user: user,
                    policy: policy, language: user.locale ?? policy.defaultLanguage) {
                    try await outbox.post(notice)
                }
            } catch {
                failure = failure ?? error
            }
        }
        return failure
    }

    /// Whether the entry's user ID can name a user: the directory's values are outside input like any other
    /// (docs/security.md#directory-values). An entry whose ID cannot is skipped and reported.
    private func usable(_ entry: DirectoryEntry, report: inout SyncReport) -> Bool {
        do throws(ValidationError) {
            let checked = try UserDraft.text(entry.userID, field: "userID")
            guard !checked.isEmpty else { throw ValidationError("field.required", field: "userID") }
            guard checked == entry.userID else { throw ValidationError("field.spaces", field: "userID") }
            return true
        } catch {
            report.problems.append(SyncProblem(userID: entry.userID, field: "userID", value: entry.userID, message: error.message))
            return false
        }
    }

    /// Copies the entry's values; a value Sesame cannot use leaves the field as it was and is reported: a phone number
    /// the phone rule refuses too, as an administrator's form would (docs/security.md#toll-fraud).
    private func apply(_ entry: DirectoryEntry, to user: inout User, phones: PhoneRule, report: inout SyncReport) {
        user.enabled = entry.enabled
        func name(_ raw: String, field: String) -> String? {
            do {
                return try UserDraft.text(raw, field: field)
            } catch {
                report.problems.append(SyncProblem(userID: entry.userID, field: field, value: raw, message: error.message))
                return nil
            }
        }
        if let name = name(entry.displayName, field: "displayName") { user.displayName = name }
        if let name = name(entry.givenName, field: "givenName") { user.givenName = name }
        if let name = name(entry.surname, field: "surname") { user.surname = name }
        // `.some(nil)`: the directory has no value, so the field is cleared; `nil`: unusable, so it is kept.
        func value<T>(_ raw: String?, field: String, parse: (String) throws(ValidationError) -> T) -> T?? {
            guard let raw, !raw.trimmingWhiteSpace().isEmpty else { return .some(nil) }
            do {
                return .some(try parse(raw))
            } catch {
                report.problems.append(SyncProblem(userID: entry.userID, field: field, value: raw, message: error.message))
                return nil
            }
        }
        if let phone = value(entry.mobile, field: "mobile", parse: phones.phoneOnFile) { user.authentication.mobilePhone = phone }
        if let phone = value(entry.telephoneNumber, field: "telephoneNumber", parse: phones.phoneOnFile) {
            user.authentication.officePhone = phone
        }
        if let email = value(entry.mail, field: "mail", parse: EmailAddress.init) { user.authentication.alternateEmail = email }
    }

    static func changedFields(_ before: User, _ after: User) -> [String] {
        var fields: [String] = []
        if before.displayName != after.displayName { fields.append("displayName") }
        if before.givenName != after.givenName { fields.append("givenName") }
        if before.surname != after.surname { fields.append("surname") }
        if before.enabled != after.enabled { fields.append("enabled") }
        fields += ContactChange(before: before.authentication, after: after.authentication).changedFields.map(\.rawValue)
        return fields
    }

    private func audit(_ activity: AuditActivity, _ target: String, detail: String) -> AuditEvent {
        AuditEvent(at: clock.now, activity: activity, actor: Self.actor, target: target, detail: detail)
    }
}

/// What a sync did, for the command's output and the server's log.
public struct SyncReport: Sendable, Hashable {
    public var created: [String] = []
    /// User ID → the fields that changed.
    public var updated: [String: [String]] = [:]
    public var unchanged = 0
    /// Directory users Sesame knows that the directory no longer lists: kept, never deleted silently.
    public var missing: [String] = []
    /// Local users whose user ID a directory entry also has: left alone.
    public var conflicts: [String] = []
    /// Values that could not be used, such as a malformed phone number.
    public var problems: [SyncProblem] = []

    public init() {}

    public var summary: String {
        "created \(created.count), updated \(updated.count), unchanged \(unchanged), missing from the directory \(missing.count), "
            + "conflicts \(conflicts.count), unusable values \(problems.count)"
    }
}

public struct SyncProblem: Sendable, Hashable {
    /// The user ID and the value, escaped and cut short: both come from the directory and end up on a terminal
    /// and in logs.
    public let userID: String
    /// The directory attribute.
    public let field: String
    public let value: String
    public let message: LocalizedText

    public init(userID: String, field: String, value: String, message: LocalizedText) {
        self.userID = PrintableText.preview(userID)
        self.field = field
        self.value = PrintableText.preview(value)
        self.message = message
    }
}
