import ArgumentParser
import SesameCore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage admin API bearer tokens.", subcommands: [Create.self])

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
}
