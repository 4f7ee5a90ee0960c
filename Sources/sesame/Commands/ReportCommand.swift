import ArgumentParser
import Foundation
import SesameCore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Print the registration or reset activity report.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case registrations
        case resets
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv
        case json
    }

    @OptionGroup var store: StoreOptions
    @Argument(help: "registrations or resets") var kind: Kind
    @Option(help: "How many days back (any number: there is no 30-day cap).") var days: Int = 30
    @Option(help: "csv or json") var format: Format = .csv
    @Option(help: "Column titles and texts in en or fr.") var lang: String = "en"

    func validate() throws {
        guard days > 0 else { throw ArgumentParser.ValidationError("--days must be at least 1") }
        guard Language(rawValue: lang) != nil else { throw ArgumentParser.ValidationError("--lang must be en or fr") }
    }

    func run() async throws {
        let context = try await store.context()
        let query = ActivityQuery(since: context.clock.now.addingTimeInterval(-Double(days) * 86_400), limit: Int.max)
        let language = Language(rawValue: lang) ?? .english
        let report = switch kind {
        case .registrations: try await context.reports.registrations(query, language: language)
        case .resets: try await context.reports.resets(query, language: language)
        }
        switch format {
        case .csv: print(report.csv(in: language), terminator: "")
        case .json: print(try report.json())
        }
    }
}
