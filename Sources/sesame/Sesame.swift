import ArgumentParser

@main
struct Sesame: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sesame",
        abstract: "Self-service password reset server.",
        version: version,
        subcommands: [
            ServeCommand.self, UserCommand.self, PolicyCommand.self, TokenCommand.self, ReportCommand.self,
            MigrateCommand.self, StoreCommand.self, DirectoryCommand.self, BackupCommand.self, RestoreCommand.self,
        ])

    /// This build's version: `sesame --version`, the metrics' build info.
    static let version = "0.1.0"
}
