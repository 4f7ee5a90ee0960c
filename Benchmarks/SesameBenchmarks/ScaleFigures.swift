import Foundation
import Logging
import SesameArgon2
import SesameCore
import SesameStore

// `sesame-bench scale …`: the Swift half of scripts/bench-scale, which reads what this prints.
//   scale seed (--sqlite PATH | --postgres URL) --users N --admin ID --user ID --password P
//       seeds the population through the store's batch path (`apply`) and prints `key=value` lines
//   scale csv FILE ROWS
//       writes a `user import` file of ROWS new users
//   scale ldif FILE ROWS BASE
//       writes ROWS directory entries (inetOrgPerson, named by uid) below BASE, for `ldapadd`
// Figures only, as the rest of sesame-bench: nothing is asserted.

func scaleMain(_ arguments: [String]) async throws {
    switch arguments.first {
    case "seed":
        let options = try BenchOptions(Array(arguments.dropFirst()))
        let users = try options.number("users")
        let hash = try await Argon2idHasher().hash(try options.text("password"))
        let accounts = ScalePopulation(now: Date()).accounts(adminID: try options.text("admin"), userID: try options.text("user"), passwordHash: hash)
        if let path = options.values["sqlite"] {
            try await seed(try SQLiteStore(path: path), users: users, accounts: accounts)
        } else {
            var logger = Logger(label: "sesame-bench.scale")
            logger.logLevel = .critical
            try await PostgresStore.withStore(url: try options.text("postgres"), logger: logger) { store in
                try await seed(store, users: users, accounts: accounts)
            }
        }
    case "csv":
        guard arguments.count == 3, let rows = Int(arguments[2]) else { throw BenchUsage() }
        try writeImportFile(arguments[1], rows: rows)
    case "ldif":
        guard arguments.count == 4, let rows = Int(arguments[2]) else { throw BenchUsage() }
        try writeDirectoryFile(arguments[1], rows: rows, base: arguments[3])
    default:
        throw BenchUsage()
    }
}

/// Users per batch: an import's or a sync's batch size (docs/scale.md#batches).
private let batchSize = 2_000

/// Seeds `count` users and their year of activity, a batch at a time; the next batch is made while the store writes
/// the last one, so that the rate is the store's as long as making a batch is quicker than writing it (the figure
/// `generate_seconds` says whether it was).
private func seed(_ store: any Store, users count: Int, accounts: [User]) async throws {
    let population = ScalePopulation(now: Date())
    var first = UserBatch()
    first.inserts = accounts
    try await store.apply(first)
    var rows = (users: accounts.count, registrations: 0, resets: 0, audit: 0)
    let clock = ContinuousClock()
    let started = clock.now
    var generating = Duration.zero
    var pending: Task<Void, any Error>?
    var reported = 0
    for start in stride(from: 0, to: count, by: batchSize) {
        let made = clock.now
        var batch = UserBatch()
        for index in start..<min(start + batchSize, count) {
            let person = population.person(index)
            batch.inserts.append(person.user)
            batch.registrations += person.registrations
            batch.resets += person.resets
            batch.audit += person.audit
        }
        generating += clock.now - made
        rows.users += batch.inserts.count
        rows.registrations += batch.registrations.count
        rows.resets += batch.resets.count
        rows.audit += batch.audit.count
        try await pending?.value
        pending = Task { [batch] in try await store.apply(batch) }
        let done = start + batch.inserts.count
        // A line every tenth: a million users take minutes.
        if done * 10 / max(count, 1) > reported {
            reported = done * 10 / max(count, 1)
            FileHandle.standardError.write(Data("  seeded \(done)/\(count) users, \(Int(seconds(clock.now - started))) s\n".utf8))
        }
    }
    try await pending?.value
    let elapsed = seconds(clock.now - started)
    let lines: [(String, String)] = [
        ("users", String(rows.users)), ("registrations", String(rows.registrations)), ("resets", String(rows.resets)),
        ("audit", String(rows.audit)), ("seconds", String(format: "%.1f", elapsed)),
        ("generate_seconds", String(format: "%.1f", seconds(generating))),
        ("users_per_second", String(Int((Double(count) / max(elapsed, 0.001)).rounded()))),
        ("rows_per_second", String(Int((Double(count + rows.registrations + rows.resets + rows.audit) / max(elapsed, 0.001)).rounded()))),
        // A user in the middle of the user IDs' order, registered or not, for the pages that show one user.
        ("sample_user", count > 0 ? population.person(count / 2).user.userID : accounts[0].userID),
    ]
    for (key, value) in lines { print("\(key)=\(value)") }
}

/// `userID,displayName,givenName,surname,mobilePhone,alternateEmail` for `rows` people who are not in the seeded
/// population (their indexes start at ten million), without passwords, as an HR export would give them.
private func writeImportFile(_ path: String, rows: Int) throws {
    let population = ScalePopulation(now: Date())
    try write(path, header: "userID,displayName,givenName,surname,mobilePhone,alternateEmail\n", rows: rows) { index in
        let user = population.person(10_000_000 + index).user
        let fields = [user.userID, user.displayName, user.givenName, user.surname,
                      user.authentication.mobilePhone?.e164 ?? "", user.authentication.alternateEmail?.description ?? ""]
        return fields.map(csvField).joined(separator: ",") + "\n"
    }
}

/// A directory's people, neither in the seeded population nor in the import file (indexes from twenty million):
/// what `sesame directory sync` reads, with names, mail and, for most, a mobile number.
private func writeDirectoryFile(_ path: String, rows: Int, base: String) throws {
    let population = ScalePopulation(now: Date())
    try write(path, header: "", rows: rows) { index in
        let user = population.person(20_000_000 + index).user
        let uid = String(user.userID.prefix { $0 != "@" })
        let values = [("objectClass", "inetOrgPerson"), ("uid", uid), ("cn", user.displayName), ("givenName", user.givenName),
                      ("sn", user.surname), ("mail", "\(uid)@directory.example.org"), ("mobile", user.authentication.mobilePhone?.e164 ?? "")]
        return "dn: uid=\(uid),\(base)\n" + values.filter { !$0.1.isEmpty }.map(ldifLine).joined() + "\n"
    }
}

/// `header`, then each row's text, written a megabyte at a time.
private func write(_ path: String, header: String, rows: Int, row: (Int) -> String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
        throw BenchUsage(message: "cannot write \(path)")
    }
    defer { try? file.close() }
    var text = header
    for index in 0..<rows {
        text += row(index)
        if text.utf8.count > 1 << 20 {
            try file.write(contentsOf: Data(text.utf8))
            text = ""
        }
    }
    try file.write(contentsOf: Data(text.utf8))
}

/// An LDIF attribute line (RFC 2849): a value that is not plain ASCII, such as "Zoë", is written in base64.
private func ldifLine(_ attribute: (String, String)) -> String {
    let (name, value) = attribute
    let plain = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !value.hasPrefix(" ") && !value.hasPrefix(":") && !value.hasPrefix("<")
    return plain ? "\(name): \(value)\n" : "\(name):: \(Data(value.utf8).base64EncodedString())\n"
}

/// Quoted when it must be (RFC 4180); names such as "De Vries" need not be.
private func csvField(_ value: String) -> String {
    guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// `--key value` pairs.
