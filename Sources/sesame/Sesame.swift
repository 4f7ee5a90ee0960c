import ArgumentParser

@main
struct Sesame: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sesame",
        abstract: "Self-service password reset server.",
        subcommands: [
            ServeCommand.self, UserCommand.self, PolicyCommand.self, TokenCommand.self, ReportCommand.self,
            MigrateCommand.self, StoreCommand.self, DirectoryCommand.self, BackupCommand.self, RestoreCommand.self,
        ])
}
