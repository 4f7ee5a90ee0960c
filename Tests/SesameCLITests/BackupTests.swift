import Foundation
import GRDB
import Synchronization
import Testing

/// `sesame backup FILE` and `sesame restore FILE` (docs/operations.md#backup-and-restore).
// One at a time: each starts several processes, and the suite runs beside every other.
@Suite(.serialized) struct BackupTests {
    static let users = (1...12).map { "user\($0)@contoso.com" }

    /// What the writers and the backup tell each other.
    final class Progress: Sendable {
        let resets = Atomic<Int>(0)
        let backupDone = Atomic<Bool>(false)
    }

    /// The mode bits of `path`.
    private func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) & 0o777
    }

    /// A data folder with `users`, each with a password.
    private func installation() async throws -> URL {
        let folder = try TemporaryFolder.make()
        let csv = folder.appendingPathComponent("users.csv")
        try (["userID,password"] + Self.users.map { "\($0),Yt7$Mx3!Ps9j" }).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let data = folder.appendingPathComponent("data")
        let run = try await CommandLineRun.runAside(["user", "import", csv.path], data: data)
        try #require(run.status == 0, "\(run.standardError)")
        return data
    }

    @Test func aBackupTakenWhileResetsRunRestoresIntactWithTheUsers() async throws {
        let data = try await installation()
        let served = try await ServeTests.serve([], environment: ["SESAME_DATA_DIR": data.path])
        defer { served.stop() }
        let backup = try TemporaryFolder.make().appendingPathComponent("sesame-backup.sqlite")
        // Two writers reset passwords (hash, user row, sessions, audit event, queued notice, which the server sends)
        // from before the backup starts until after it ends.
        let progress = Progress()
        let (backupRun, resets) = try await withThrowingTaskGroup(of: [CommandLineRun].self) { group in
            for writer in 0..<2 {
                group.addTask {
                    var runs: [CommandLineRun] = []
                    for round in 0... {
                        let user = Self.users[(writer + 2 * round) % Self.users.count]
                        runs.append(try await CommandLineRun.runAside(["user", "reset-password", user, "--password", "Qw8#Lp2!Zx5m-\(round)"], data: data))
                        progress.resets.add(1, ordering: .relaxed)
                        if progress.backupDone.load(ordering: .relaxed) { return runs }
                    }
                    return runs
                }
            }
            while progress.resets.load(ordering: .relaxed) < 2 { try await Task.sleep(for: .milliseconds(20)) }
            let backupRun = try await CommandLineRun.runAside(["backup", backup.path], data: data)
            progress.backupDone.store(true, ordering: .relaxed)
            var resets: [CommandLineRun] = []
            for try await runs in group { resets += runs }
            return (backupRun, resets)
        }
        #expect(backupRun.status == 0, "\(backupRun.standardError)")
        #expect(resets.count >= 3 && resets.allSatisfy { $0.status == 0 }, "\(resets.map(\.standardError))")
        #expect(try mode(backup.path) == 0o600, "the backup holds password hashes")
        let integrity = try await DatabaseQueue(path: backup.path).read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])

        let restored = try TemporaryFolder.make().appendingPathComponent("restored")
        let restore = try await CommandLineRun.runAside(["restore", backup.path], data: restored)
        #expect(restore.status == 0, "\(restore.standardError)")
        #expect(try mode(restored.path) == 0o700)
        #expect(try mode(restored.appendingPathComponent("sesame.sqlite").path) == 0o600)
        let again = try await ServeTests.serve([], environment: ["SESAME_DATA_DIR": restored.path])
        defer { again.stop() }
        let (status, _) = try await again.ready()
        #expect(status == 200)
        let list = try await CommandLineRun.runAside(["user", "list"], data: restored)
        for user in Self.users { #expect(list.standardOutput.contains(user), "\(user) is restored") }
    }

    @Test func restoreRefusesAFolderThatHoldsAnythingAndChangesNothing() async throws {
        let data = try await installation()
        let backup = try TemporaryFolder.make().appendingPathComponent("b.sqlite")
        #expect(try await CommandLineRun.runAside(["backup", backup.path], data: data).status == 0)
        let other = try await installation()
        let files = try FileManager.default.contentsOfDirectory(atPath: other.path).sorted()
        let before = try files.map { try Data(contentsOf: other.appendingPathComponent($0)) }
        let run = try await CommandLineRun.runAside(["restore", backup.path], data: other)
        #expect(run.status != 0)
        #expect(run.standardError.contains("\(other.path) is not empty (it holds secret.key, sesame.sqlite"), "\(run.standardError)")
        #expect(run.standardError.contains("restore into an empty data folder"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: other.path).sorted() == files)
        #expect(try files.map { try Data(contentsOf: other.appendingPathComponent($0)) } == before)
    }

    @Test func restoreRefusesWhatIsNotASesameDatabaseBeforeCreatingAnything() async throws {
        let folder = try TemporaryFolder.make()
        let foreign = folder.appendingPathComponent("foreign.sqlite")
        try await DatabaseQueue(path: foreign.path).write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        let text = folder.appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: text)
        for file in [foreign, text] {
            let data = folder.appendingPathComponent("data-\(file.lastPathComponent)")
            let run = try await CommandLineRun.runAside(["restore", file.path], data: data)
            #expect(run.status != 0)
            #expect(run.standardError.contains("\(file.path) is not a Sesame database"), "\(run.standardError)")
            #expect(!FileManager.default.fileExists(atPath: data.path))
        }
    }

    /// A backup kept where someone else can change it: a trigger added to it would run inside the server, here making
    /// whoever signs in a global administrator. Restore accepts only the schema Sesame's migrations build.
    @Test func restoreRefusesABackupWithATriggerOrViewAddedAndCreatesNothing() async throws {
        let data = try await installation()
        let folder = try TemporaryFolder.make()
        let backup = folder.appendingPathComponent("b.sqlite")
        #expect(try await CommandLineRun.runAside(["backup", backup.path], data: data).status == 0)
        let tampered = [
            "CREATE TRIGGER sessions_touch AFTER INSERT ON sessions WHEN NEW.user_id IS NOT NULL BEGIN INSERT OR IGNORE INTO user_roles VALUES (NEW.user_id, 'globalAdmin'); END",
            "CREATE VIEW everyone AS SELECT user_id FROM users",
            "CREATE TABLE extra (x TEXT)",
        ]
        for (index, statement) in tampered.enumerated() {
            let copy = folder.appendingPathComponent("tampered-\(index).sqlite")
            try FileManager.default.copyItem(at: backup, to: copy)
            try await DatabaseQueue(path: copy.path).write { try $0.execute(sql: statement) }
            let target = folder.appendingPathComponent("data-\(index)")
            let run = try await CommandLineRun.runAside(["restore", copy.path], data: target)
            #expect(run.status != 0)
            #expect(run.standardError.contains("is not a database Sesame built: its schema differs"), "\(run.standardError)")
            #expect(!FileManager.default.fileExists(atPath: target.path))
        }
        let untouched = folder.appendingPathComponent("data-untouched")
        #expect(try await CommandLineRun.runAside(["restore", backup.path], data: untouched).status == 0, "the backup as made restores")
    }

    @Test func aBackupNeverOverwritesAFile() async throws {
        let data = try await installation()
        let existing = try TemporaryFolder.make().appendingPathComponent("keep.txt")
        try Data("keep".utf8).write(to: existing)
        let run = try await CommandLineRun.runAside(["backup", existing.path], data: data)
        #expect(run.status != 0 && run.standardError.contains("\(existing.path) already exists"))
        #expect(try Data(contentsOf: existing) == Data("keep".utf8))
    }

    @Test(arguments: ["backup", "restore"]) func onPostgreSQLTheCommandsPointToItsTools(_ command: String) async throws {
        let data = try TemporaryFolder.make().appendingPathComponent("data")
        let run = try await CommandLineRun.runAside([command, "x.sql"], data: data, environment: ["SESAME_DATABASE_URL": "postgres://sesame:pw@127.0.0.1:1/sesame"])
        #expect(run.status != 0)
        #expect(run.standardError.contains(command == "backup" ? "back it up with pg_dump" : "restore a pg_dump with pg_restore or psql"), "\(run.standardError)")
    }
}
