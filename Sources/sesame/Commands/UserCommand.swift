import ArgumentParser
import Foundation
import SesameCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage users and their pre-populated contact data.",
        subcommands: [Add.self, Import.self, List.self, Show.self, Unlock.self, ResetPassword.self, SignOut.self, AccessPass.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a local user.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "User ID (user principal name, name@domain).") var userID: String
        @Option(help: "Initial password (must pass the password policy).") var password: String
        @Option(name: .customLong("display-name")) var displayName: String?
        @Option(name: .customLong("given-name")) var givenName: String?
        @Option var surname: String?
        @Option(help: "Mobile phone, international (+33 6 12 34 56 78).") var mobile: String?
        @Option(help: "Office phone, international.") var office: String?
        @Option(name: .customLong("alternate-email")) var alternateEmail: String?
        @Option(help: "A group (repeatable).") var group: [String] = []
        @Option(help: "globalAdmin, passwordAdmin, userAdmin, helpdeskAdmin or none.") var role: String?

        func run() async throws {
            try await store.withContext { context in
                let draft = UserDraft(
                    userID: userID, password: password, displayName: displayName, givenName: givenName, surname: surname,
                    mobilePhone: mobile, officePhone: office, alternateEmail: alternateEmail, groups: group,
                    roles: try role.map(Role.parseList))
                let user = try await context.users.add(draft, actor: commandLineActor, initialPasswordStays: true)
                print("added \(user.userID)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update users from a CSV file.",
            discussion: "Columns: userID, displayName, givenName, surname, password, mobilePhone, officePhone, alternateEmail, groups, roles, enabled (groups and roles separated by ;).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await store.withContext { context in
                guard let data = FileManager.default.contents(atPath: file) else { throw ConfigurationError("cannot read \(file)") }
                let text = String(decoding: data, as: UTF8.self)
                let importer = UserImport(administration: try context.users, store: context.store)
                // A progress line rewritten in place is for a person watching: in a file or a pipe it would be one line
                // of megabytes, and the summary below says it all.
                let watched = isatty(STDERR_FILENO) == 1
                let outcomes = try await importer.run(text, by: .serverOperator, actor: commandLineActor) { progress in
                    guard watched else { return }
                    FileHandle.standardError.write(Data("\rimported \(progress.done)/\(progress.total) rows".utf8))
                    if progress.done == progress.total { FileHandle.standardError.write(Data("\n".utf8)) }
                }
                var created = 0, updated = 0, failed = 0
                for outcome in outcomes {
                    switch outcome {
                    case .created: created += 1
                    case .updated: updated += 1
                    case .failed(let line, let message):
                        failed += 1
                        // The message quotes the file's value: escaped and cut short (docs/security.md#directory-values).
                        FileHandle.standardError.write(Data("line \(line): \(PrintableText.preview(message.description, limit: 300))\n".utf8))
                    case .refused(let line, let reason):
                        failed += 1
                        FileHandle.standardError.write(Data("line \(line): \(PrintableText.preview(reason.description, limit: 300))\n".utf8))
                    }
                }
                print("\(created) created, \(updated) updated, \(failed) failed")
                if failed > 0 { throw ExitCode(2) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users (tab-separated).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only users with a word of their user ID, names or email addresses starting with this.") var search: String?

        func run() async throws {
            try await store.withContext { context in
                print(["userID", "displayName", "roles", "enabled", "registered"].joined(separator: "\t"))
                var query = UserQuery(search: search, limit: 500)
                // A user found by several words comes on several pages: printed once.
                var printed: Set<UUID> = []
                while true {
                    let page = try await context.store.users(query)
                    for user in page.users where printed.insert(user.id).inserted {
                        // Escaped: a tab or a line break in a name would forge columns or lines.
                        print([PrintableText.escaping(user.userID), PrintableText.escaping(user.displayName), user.roles.sorted().map(\.rawValue).joined(separator: ","),
                               String(user.enabled), String(user.registration.isRegistered)].joined(separator: "\t"))
                    }
                    guard let next = page.next else { break }
                    query.after = next
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a user's attributes and contact data in full.")
        @OptionGroup var store: StoreOptions
        @Argument var userID: String

        func run() async throws {
            try await store.withContext { context in
                let user = try await context.users.existing(userID)
                print(UserSheet(user: user, now: context.clock.now).text, terminator: "")
            }
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear a user's sign-in lockout (audited).")
        @OptionGroup var store: StoreOptions
        @Argument var userID: String

        func run() async throws {
            try await store.withContext { try await $0.users.unlock(userID: userID, actor: commandLineActor) }
            print("unlocked \(userID.lowercased())")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a user's password as an administrator (audited).")
        @OptionGroup var store: StoreOptions
        @Argument var userID: String
        @Option(help: "The new password (must pass the password policy).") var password: String

        func run() async throws {
            try await store.withContext { try await $0.users.resetPassword(userID: userID, to: password, actor: commandLineActor) }
            print("password reset for \(userID.lowercased())")
        }
    }

    struct SignOut: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signout", abstract: "End every session of a user, on every instance (audited).")
        @OptionGroup var store: StoreOptions
        @Argument var userID: String

        func run() async throws {
            let ended = try await store.withContext { try await $0.users.endSessions(userID: userID, actor: commandLineActor) }
            print("\(ended) session(s) ended for \(userID.lowercased())")
        }
    }

    struct AccessPass: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tap", abstract: "Issue a temporary access pass for a user who lost every method (audited; the user's addresses are told).",
            discussion: "Prints the pass, which is shown nowhere else, and its expiry. A new pass replaces the user's previous one.")
        @OptionGroup var store: StoreOptions
        @Argument var userID: String
        @Option(help: "Minutes the pass is valid, 10 to 1440.") var minutes: Int = 60
        @Option(help: "Characters in the pass, 8 to 48.") var length: Int = 12
        @Flag(help: "The pass serves until it expires instead of once.") var reusable = false

        func run() async throws {
            try await store.withContext { context in
                let terms = AccessPassTerms(lifetime: TimeInterval(minutes) * 60, length: length, singleUse: !reusable)
                // The server's operator, as for every command: a global administrator's authority.
                let issued = try await context.accessPasses.issue(to: userID, terms: terms, authority: [.globalAdmin], actor: commandLineActor)
                print("\(issued.pass)\tvalid until \(issued.expiresAt.formatted(.iso8601))\t\(issued.singleUse ? "single use" : "reusable")")
            }
        }
    }
}
