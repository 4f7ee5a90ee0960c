import Foundation
import SesameCore
import SesameStore
import Testing

/// The command-line contract of README.md#command-line, checked on the real binary.
@Suite struct CommandLineContractTests {
    let data: URL

    init() throws {
        data = try TemporaryFolder.make().appendingPathComponent("data")
    }

    func sesame(_ arguments: String..., environment: [String: String] = [:]) throws -> CommandLineRun {
        try CommandLineRun.run(arguments, data: data, environment: environment)
    }

    @Test func addThenShowPrintsEverythingWithPhonesInE164() throws {
        let add = try sesame(
            "user", "add", "Alice@Contoso.com", "--password", "Zq8#Lw4!Vr2k", "--display-name", "Alice Martin",
            "--mobile", "+33 6 12 34 56 78", "--office", "+33 1 23 45 67 89", "--alternate-email", "甲斐@黒川.日本",
            "--group", "staff", "--group", "sspr", "--role", "helpdeskAdmin")
        #expect(add.status == 0, "\(add.standardError)")
        // The data folder, the database and a private secret were created on first use.
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("sesame.sqlite").path))
        let attributes = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("secret.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let show = try sesame("user", "show", "alice@contoso.com")
        #expect(show.status == 0)
        let lines = Set(show.standardOutput.split(separator: "\n").map(String.init))
        for expected in [
            "userID: alice@contoso.com", "displayName: Alice Martin", "roles: helpdeskAdmin", "groups: sspr,staff",
            "mobilePhone: +33612345678", "officePhone: +33123456789", "alternateEmail: 甲斐@黒川.日本", "enabled: true",
            "source: local", "password: set", "passkeys: 0",
        ] {
            #expect(lines.contains(expected), "\(expected) in \(show.standardOutput)")
        }
        #expect(!show.standardOutput.contains("argon2"), "no hash is printed")
        let list = try sesame("user", "list")
        #expect(list.standardOutput == "userID\tdisplayName\troles\tenabled\tregistered\nalice@contoso.com\tAlice Martin\thelpdeskAdmin\ttrue\tfalse\n")
    }

    @Test func failuresExitNonZeroWithAMessageOnStandardError() throws {
        let cases: [([String], String)] = [
            (["user", "show", "ghost@contoso.com"], "no user with user ID ghost@contoso.com"),
            (["user", "unlock", "ghost@contoso.com"], "no user with user ID ghost@contoso.com"),
            (["user", "reset-password", "ghost@contoso.com", "--password", "Zq8#Lw4!Vr2k"], "no user with user ID ghost@contoso.com"),
            (["user", "add", "bob@contoso.com", "--password", "password1"], "password:"),
            (["user", "add", "bob@contoso.com", "--password", "Zq8#Lw4!Vr2k", "--mobile", "+33 6"], "mobilePhone: this number is too short for France"),
            (["user", "add", "bob", "--password", "Zq8#Lw4!Vr2k"], "userID:"),
            (["policy", "set", "questionsToReset", "7"], "questionsToReset: must be a whole number from 3 to 5 (got \"7\")"),
            (["policy", "set", "reconfirmDays", "1000"], "reconfirmDays: must be a whole number from 0 to 730"),
            (["policy", "set", "colour", "blue"], "unknown policy key \"colour\""),
            (["report", "resets", "--days", "0"], "--days must be at least 1"),
        ]
        for (arguments, message) in cases {
            let run = try CommandLineRun.run(arguments, data: data)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
            #expect(run.standardOutput.isEmpty, "\(arguments)")
        }
        let unreachable = try sesame("user", "list", environment: ["SESAME_DATABASE_URL": "sqlite:/proc/nope/sesame.sqlite"])
        #expect(unreachable.status != 0 && unreachable.standardError.contains("cannot open /proc/nope/sesame.sqlite"))
    }

    @Test func policyShowAndSet() throws {
        let set = try sesame("policy", "set", "methods", "email,securityQuestions")
        #expect(set.status == 0 && set.standardOutput == "methods=email,securityQuestions\n")
        let show = try sesame("policy", "show")
        let lines = show.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 26 && lines.last == "defaultLanguage=en")
        #expect(lines.first == "enabled=all")
        #expect(lines.contains("methods=email,securityQuestions") && lines.contains("reconfirmDays=180"))
        #expect(lines.contains("passwordRules=entra"))
        let off = try sesame("policy", "set", "prepopulatedForReset", "false")
        #expect(off.status == 0 && off.standardOutput == "prepopulatedForReset=false\n")
    }

    /// The pass is printed once with its expiry; only its hash is kept; terms out of bounds are refused.
    @Test func aTemporaryAccessPassIsPrintedOnceAndKeptAsAHash() async throws {
        #expect(try sesame("user", "add", "bob@contoso.com", "--password", "Zq8#Lw4!Vr2k").status == 0)
        let run = try sesame("user", "tap", "bob@contoso.com", "--minutes", "120", "--length", "16")
        #expect(run.status == 0, "\(run.standardError)")
        let line = try #require(run.standardOutput.wholeMatch(of: /([2-9a-z]{4}(?:-[2-9a-z]{4}){3})\tvalid until (\S+)\tsingle use\n/))
        let pass = String(line.output.1)
        let store = try SQLiteStore(path: data.appendingPathComponent("sesame.sqlite").path)
        let bob = try #require(try await store.user(userID: "bob@contoso.com"))
        let stored = try #require(try await store.accessPass(ofUser: bob.id))
        #expect(line.output.2 == stored.expiresAt.formatted(.iso8601) && stored.singleUse && stored.issuedBy == "cli")
        #expect(!stored.hash.contains(pass.replacingOccurrences(of: "-", with: "")) && stored.hash.hasPrefix("$argon2id$"))
        let refused = try sesame("user", "tap", "bob@contoso.com", "--minutes", "1441")
        #expect(refused.status != 0 && refused.standardError.contains("lifetime: a whole number from 10 to 1440") && refused.standardOutput.isEmpty)
        #expect(try sesame("user", "tap", "nobody@contoso.com").standardError.contains("no user with user ID nobody@contoso.com"))
    }

    @Test func tokenIsAloneOnTheLastLine() throws {
        let run = try sesame("token", "create", "--name", "ci")
        #expect(run.status == 0)
        let last = try #require(run.standardOutput.split(separator: "\n").last)
        #expect(last.hasPrefix("sesame_") && !last.contains(" ") && last.count == 50)
        let again = try sesame("token", "create", "--name", "ci")
        #expect(again.standardOutput.split(separator: "\n").last != last)
        // Columns 1–4 are as they always were (the fourth, revoked, empty); scope and expiry come after.
        let fields = { (list: String) in list.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) } }
        let live = fields(try sesame("token", "list").standardOutput)
        #expect(live.count == 2 && live.allSatisfy { $0.count == 6 && $0[0] == "ci" && $0[3].isEmpty && $0[4] == "full" && $0[5].isEmpty })
        #expect(try sesame("token", "revoke", "--name", "ci").standardOutput == "revoked ci\n")
        let list = try sesame("token", "list").standardOutput
        #expect(!list.contains(last) && fields(list).allSatisfy { !$0[3].isEmpty }, "both revoked, no token printed")
        let unknown = try sesame("token", "revoke", "--name", "ci")
        #expect(unknown.status != 0 && unknown.standardError.contains("no live token"))
    }

    @Test func tokenScopesAndExpiry() throws {
        #expect(try sesame("token", "list").standardOutput == "name\tcreated\tlastUsed\trevoked\tscope\texpires\n")
        let before = Date()
        let read = try sesame("token", "create", "--name", "dashboard", "--scope", "read", "--days", "7")
        #expect(read.status == 0, "\(read.standardError)")
        let token = try #require(read.standardOutput.split(separator: "\n").last)
        #expect(token.hasPrefix("sesame_") && token.count == 50)
        let users = try sesame("token", "create", "--name", "hr-sync", "--scope", "users", "--expires-days", "30")
        #expect(users.status == 0 && users.standardOutput.split(separator: "\n").last?.hasPrefix("sesame_") == true)
        let rows = try sesame("token", "list").standardOutput.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.map { [$0[0], $0[4]] } == [["dashboard", "read"], ["hr-sync", "users"]])
        let expires = try #require(rows.first.flatMap { try? Date($0[5], strategy: .iso8601) })
        #expect(abs(expires.timeIntervalSince(before) - 7 * 86_400) < 60)
        // The audit log says which scope and expiry were given, never the token.
        let audit = try sesame("report", "audit", "--format", "csv").standardOutput
        #expect(audit.contains("scope read, expires \(rows[0][5])") && audit.contains("scope users, expires") && !audit.contains(token))

        let refused: [([String], String)] = [
            (["--scope", "admin"], "unknown scope \"admin\" (allowed: read, users, full)"),
            (["--scope", ""], "unknown scope"),
            (["--days", "0"], "days: a whole number from 1 to 3650"),
            (["--days=-3"], "days: a whole number from 1 to 3650"),
            (["--expires-days", "0"], "days: a whole number from 1 to 3650"),
            (["--days", "3651"], "days: a whole number from 1 to 3650"),
            (["--days", "soon"], "soon"),
        ]
        for (options, message) in refused {
            let run = try CommandLineRun.run(["token", "create", "--name", "bad"] + options, data: data)
            #expect(run.status != 0, "\(options)")
            #expect(run.standardError.contains(message), "\(options): \(run.standardError)")
            #expect(run.standardOutput.isEmpty, "\(options)")
        }
        #expect(!(try sesame("token", "list").standardOutput.contains("bad\t")), "no refused token was made")
    }

    @Test func aResetFromTheCommandLineEndsTheUsersSessions() async throws {
        #expect(try sesame("user", "add", "carol@contoso.com", "--password", "Zq8#Lw4!Vr2k").status == 0)
        let store = try SQLiteStore(path: data.appendingPathComponent("sesame.sqlite").path)
        let carol = try #require(try await store.user(userID: "carol@contoso.com"))
        let later = Date().addingTimeInterval(3_600)
        try await store.saveSession(key: "carol's", data: Data("{}".utf8), userID: carol.id, expiresAt: later)
        try await store.saveSession(key: "someone else's", data: Data("{}".utf8), userID: UUID(), expiresAt: later)
        #expect(try sesame("user", "reset-password", "carol@contoso.com", "--password", "Yt7$Mx3!Ps9j").status == 0)
        #expect(try await store.session(key: "carol's", now: Date()) == nil)
        #expect(try await store.session(key: "someone else's", now: Date()) != nil)
    }

    @Test func adminActionsAndReports() throws {
        _ = try sesame("user", "add", "carol@contoso.com", "--password", "Zq8#Lw4!Vr2k")
        #expect(try sesame("user", "reset-password", "carol@contoso.com", "--password", "Yt7$Mx3!Ps9j").status == 0)
        #expect(try sesame("user", "unlock", "CAROL@contoso.com").standardOutput == "unlocked carol@contoso.com\n")
        let csv = try sesame("report", "resets", "--format", "csv")
        #expect(csv.status == 0 && csv.standardOutput == "User,Role,Date and Time,Method(s) Used,Result,Details\r\n")
        let json = try sesame("report", "registrations", "--format", "json", "--days", "400")
        #expect(json.status == 0)
        #expect(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [Any] != nil)
        let migrate = try sesame("migrate")
        #expect(migrate.standardOutput.contains("applied 001 initial schema"))
    }

    @Test func importReportsBadRowsByLineAndExitsNonZero() throws {
        let file = data.deletingLastPathComponent().appendingPathComponent("users.csv")
        let rows = (1...250).map { "user\($0)@contoso.com,User \($0),+33 6 12 34 \(String(format: "%02d", $0 % 100)) 00" }
        try ("userID,displayName,mobilePhone\n" + rows.joined(separator: "\n") + "\nbroken,X,\n").write(to: file, atomically: true, encoding: .utf8)
        let run = try sesame("user", "import", file.path)
        #expect(run.status == 2)
        #expect(run.standardOutput == "250 created, 0 updated, 1 failed\n")
        // Standard error is a pipe here: no progress line rewritten in place, only the bad row.
        #expect(!run.standardError.contains("\r") && !run.standardError.contains("imported"))
        #expect(run.standardError.contains("line 252: userID: \"broken\" is not a user ID"))
        let again = try sesame("user", "import", file.path)
        #expect(again.standardOutput == "0 created, 250 updated, 1 failed\n")
    }

    /// A refused value is quoted in the error: before, a file's escape sequences reached the terminal as they were.
    @Test func importErrorsQuoteValuesEscaped() throws {
        let file = data.deletingLastPathComponent().appendingPathComponent("evil.csv")
        try "userID,mobilePhone\nmallory@contoso.com,\"+33 6 12\u{1B}]0;PWNED\u{07}\u{1B}[2J\"\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try sesame("user", "import", file.path)
        #expect(run.status == 2)
        #expect(!run.standardError.contains("\u{1B}") && !run.standardError.contains("\u{07}"))
        #expect(run.standardError.contains("line 2: mobilePhone:") && run.standardError.contains("\\u{1B}]0;PWNED\\u{7}\\u{1B}[2J"))
    }

    @Test func configurationFileFlagAndEnvironment() throws {
        let folder = data.deletingLastPathComponent()
        let config = folder.appendingPathComponent("sesame.env")
        try "SESAME_DATA_DIR=\(folder.appendingPathComponent("from-file").path)\n".write(to: config, atomically: true, encoding: .utf8)
        // The file applies when nothing else names the data folder…
        let fromFile = try CommandLineRun.run(["policy", "show", "--config", config.path], data: data, environment: ["SESAME_DATA_DIR": ""])
        #expect(fromFile.status == 0)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("from-file/sesame.sqlite").path))
        // …the environment wins over it, and the flag over both.
        _ = try CommandLineRun.run(["policy", "show", "--config", config.path], data: data)
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("sesame.sqlite").path))
        _ = try CommandLineRun.run(["policy", "show", "--config", config.path, "--data", folder.appendingPathComponent("from-flag").path], data: data)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("from-flag/sesame.sqlite").path))
    }
}

extension CommandLineContractTests {
    /// A name stored before sync checked the directory's values (or by any other way in) cannot forge a line or a
    /// column on the administrator's terminal (docs/security.md#directory-values).
    @Test func controlCharactersInStoredNamesArePrintedEscaped() async throws {
        #expect(try sesame("user", "add", "mallory@contoso.com", "--password", "Zq8#Lw4!Vr2k").status == 0)
        let store = try SQLiteStore(path: data.appendingPathComponent("sesame.sqlite").path)
        var mallory = try #require(try await store.user(userID: "mallory@contoso.com"))
        mallory.displayName = "Mallory\r\nenabled: true\u{1B}[2K"
        mallory.surname = "Tab\there"
        try await store.updateUser(mallory)

        let show = try sesame("user", "show", "mallory@contoso.com")
        #expect(!show.standardOutput.contains("\r") && !show.standardOutput.contains("\u{1B}"))
        let lines = show.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.contains("displayName: Mallory\\r\\nenabled: true\\u{1B}[2K") && lines.contains("surname: Tab\\there"))
        #expect(lines.filter { $0.hasPrefix("enabled:") } == ["enabled: true"])
        let list = try sesame("user", "list")
        #expect(list.standardOutput == "userID\tdisplayName\troles\tenabled\tregistered\nmallory@contoso.com\tMallory\\r\\nenabled: true\\u{1B}[2K\t\ttrue\tfalse\n")
    }
}
