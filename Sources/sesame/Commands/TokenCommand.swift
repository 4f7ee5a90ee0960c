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

        func run() async throws {
            let token = try await store.context().tokens.create(name: name, actor: commandLineActor)
            print("API token \"\(name)\" created. Store it now: it cannot be shown again.")
            print(token)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (tab-separated): name, created, last used, revoked.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            print("name\tcreated\tlastUsed\trevoked")
            for token in try await store.context().tokens.list() {
                let dates = [token.createdAt, token.lastUsedAt, token.revokedAt].map { $0?.formatted(.iso8601) ?? "" }
                print(([token.name] + dates).joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke the live tokens of that name (audited).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The token's name.") var name: String

        func run() async throws {
            guard try await store.context().tokens.revoke(name: name, actor: commandLineActor) else {
                throw ConfigurationError("no live token is named \"\(name)\"")
            }
            print("revoked \(name)")
        }
    }
}
