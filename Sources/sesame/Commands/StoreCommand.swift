import ArgumentParser
import Foundation
import SesameStore

struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move an installation between stores.", subcommands: [Copy.self])

    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every row from an SQLite store into an empty PostgreSQL database, then compare both.",
            discussion: "Stop the servers first. Prints each table's row count and checksum; exits 1 if any differ.")

        @Option(help: "sqlite:PATH") var from: String
        @Option(help: "postgres://user:pass@host:port/database (empty; its schema is created)") var to: String

        func run() async throws {
            guard case .sqlite(let path) = try Configuration.database(from, dataDirectory: "."),
                  FileManager.default.fileExists(atPath: path)
            else { throw ConfigurationError("--from: an existing SQLite file, as sqlite:PATH") }
            guard case .postgres(let url) = try Configuration.database(to, dataDirectory: ".") else {
                throw ConfigurationError("--to: a PostgreSQL database, as postgres://user:pass@host:port/database")
            }
            let source = try SQLiteStore(path: path)
            let reports = try await PostgresStore.withStore(url: url) { target in try await StoreCopy.copy(from: source, to: target) }
            for report in reports { print(report) }
            guard reports.allSatisfy(\.matches) else {
                throw ConfigurationError("the copy differs from the source: see the tables marked MISMATCH")
            }
            print("copied \(reports.map(\.sourceRows).reduce(0, +)) rows in \(reports.count) tables; every count and checksum matches")
        }
    }
}
