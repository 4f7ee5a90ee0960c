import ArgumentParser
import SesameCore

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Show or change the password reset policy.", subcommands: [Show.self, Set.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every policy key as key=value.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let policy = try await store.withContext { try await $0.policies.current().policy }
            for (key, value) in policy.keyValues { print("\(key.rawValue)=\(PrintableText.escaping(value))") }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one policy key (audited).",
            discussion: "Keys: " + PolicyKey.allCases.map(\.rawValue).joined(separator: ", "))
        @OptionGroup var store: StoreOptions
        @Argument var key: String
        @Argument var value: String

        func run() async throws {
            guard let policyKey = PolicyKey(rawValue: key) else {
                throw ConfigurationError("unknown policy key \"\(key)\" (keys: \(PolicyKey.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let policy = try await store.withContext { try await $0.policies.set(policyKey, to: value, actor: commandLineActor) }
            print("\(policyKey.rawValue)=\(policyKey.value(in: policy))")
        }
    }
}
