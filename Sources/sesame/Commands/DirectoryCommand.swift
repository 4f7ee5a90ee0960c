import ArgumentParser
import SesameCore
import SesameDirectory

/// `sesame directory sync|status` (docs/behaviour.md#directory-sync).
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory", abstract: "The directory that keeps directory users' passwords.",
        subcommands: [Sync.self, Status.self])

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create and update directory users and their contact data from the directory (never deletes).",
            discussion: "serve runs it every SESAME_LDAP_SYNC_MINUTES minutes when that is set.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await store.withContext { context in
                guard let directory = context.directory else { throw ConfigurationError("SESAME_LDAP_URL: no directory is configured") }
                let outbox = try context.outbox()
                let report = try await DirectorySync(
                    store: context.store, directory: directory, clock: context.clock, outbox: outbox, reportLinks: context.reportLinks(outbox: outbox)
                ).run()
                print(report.lines.joined(separator: "\n"))
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Whether writeback can work now, and why not.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await store.withContext { context in
                let status = await context.directory?.status() ?? .notConfigured(.notSet, detail: "")
                print("writeback: \(status.description)")
                if !status.isConfigured { throw ExitCode(1) }
            }
        }
    }
}

extension SyncReport {
    /// The command's output: the summary, then a line per change, missing user, conflict and unusable value. User
    /// IDs come from the directory: shown escaped (docs/security.md#directory-values).
    var lines: [String] {
        [summary]
            + created.map { "created \(PrintableText.escaping($0))" }
            + updated.sorted { $0.key < $1.key }.map { "updated \(PrintableText.escaping($0.key)): \($0.value.joined(separator: ", "))" }
            + missing.map { "missing from the directory (kept) \(PrintableText.escaping($0))" }
            + conflicts.map { "conflict (a local user has this user ID, left alone) \(PrintableText.escaping($0))" }
            // The message may quote the directory's value: the whole line escaped and cut short.
            + problems.map { PrintableText.preview("unusable \($0.field) for \($0.userID): \($0.message)", limit: 300) }
    }
}
