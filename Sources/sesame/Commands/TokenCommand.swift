import ArgumentParser
import Foundation
import SesameCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage admin API bearer tokens.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once, alone on the last line.")
        @OptionGroup var store: StoreOptions
        @Option(help: "What the token is for (shown in the audit log).") var name: String
        @Option(help: "read (every GET), users (reads, and users managed as a user administrator would) or full (everything).")
        var scope: String = TokenScope.default.rawValue
        @Option(name: [.long, .customLong("expires-days")], help: "Days until the token expires (1–3650); without it, it lasts until revoked.")
        var days: Int?

        /// Checked before the store is opened, so that a typo leaves nothing behind; the messages are the core's.
        func validate() throws {
            _ = try TokenScope.parse(scope)
            try TokenService.check(days: days)
        }

        func run() async throws {
            let token = try await store.withContext { try await $0.tokens.create(name: name, scope: try TokenScope.parse(scope), days: days, actor: commandLineActor) }
            print("API token \"\(name)\" created. Store it now: it cannot be shown again.")
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens (tab-separated): name, created, last used, revoked, scope, expires.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            // New columns go at the end, so that scripts reading the first four keep working.
            print("name\tcreated\tlastUsed\trevoked\tscope\texpires")
            for token in try await store.withContext({ try await $0.tokens.list() }) {
                let dates = [token.createdAt, token.lastUsedAt, token.revokedAt].map { $0?.formatted(.iso8601) ?? "" }
                let expires = token.expiresAt?.formatted(.iso8601) ?? ""
                print(([PrintableText.escaping(token.name)] + dates + [token.scope.rawValue, expires]).joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke the live tokens of that name (audited).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The token's name.") var name: String

        func run() async throws {
            guard try await store.withContext({ try await $0.tokens.revoke(name: name, actor: commandLineActor) }) else {
                throw ConfigurationError("no live token is named \"\(name)\"")
            }
            print("revoked \(name)")
        }
    }
}
