import ArgumentParser
import Foundation

/// The options every command takes to find the store (README.md#command-line).
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: "Data folder (SESAME_DATA_DIR, default ./sesame-data).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "sqlite:PATH or postgres://… (SESAME_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("config"), help: "A file of SESAME_…=value lines (SESAME_CONFIG_FILE).")
    var configFile: String?

    var flags: [ConfigurationKey: String] {
        var flags: [ConfigurationKey: String] = [:]
        flags[.dataDirectory] = dataDirectory
        flags[.databaseURL] = databaseURL
        return flags
    }

    /// Parses the configuration, opens the store and runs `body` with it; nothing of the store outlives `body` (see
    /// `AppContext.withOpen`).
    func withContext<Value>(_ body: (AppContext) async throws -> Value) async throws -> Value {
        try await AppContext.withOpen(configuration(), body)
    }

    /// `serve`'s: the configuration with `extra` flags on top, and a store left to run in the service group (see
    /// `AppContext.openForService`).
    func serviceContext(extra: [ConfigurationKey: String]) async throws -> AppContext {
        try await AppContext.openForService(configuration(extra: extra))
    }

    func configuration(extra: [ConfigurationKey: String] = [:]) throws -> Configuration {
        let sources = try ConfigurationSources.load(
            flags: flags.merging(extra) { _, new in new }, configFile: configFile,
            environment: ProcessInfo.processInfo.environment)
        let configuration = try Configuration(sources)
        LogSystem.start(configuration)
        return configuration
    }
}

/// What `backup` and `restore` take: the store's options and the backup file (README.md#backup-and-restore).
struct BackupOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Argument(help: "The backup file: a new one for backup (keep the server secret with it), one backup wrote for restore.")
    var file: String

    /// The configuration and its SQLite file; PostgreSQL has its own tools, which `otherwise` names.
    func sqliteFile(for command: String, otherwise: String) throws -> (configuration: Configuration, path: String) {
        let configuration = try store.configuration()
        guard case .sqlite(let path) = configuration.database else {
            throw ConfigurationError("\(command): this installation keeps its data in PostgreSQL; \(otherwise) (README.md#backup-and-restore)")
        }
        return (configuration, path)
    }
}

/// Who the audit log names for command-line actions.
let commandLineActor = "cli"
