import Foundation
import SesameCore

/// The raw settings, layered: command-line flags win over the environment, which wins over the configuration file;
/// what none of them sets takes its default in ``Configuration``.
struct ConfigurationSources: Sendable {
    var flags: [ConfigurationKey: String] = [:]
    var environment: [String: String] = [:]
    var file: [String: String] = [:]

    /// The first layer that sets `key` to something not empty.
    func value(_ key: ConfigurationKey) -> String? {
        [flags[key], environment[key.rawValue], file[key.rawValue]].lazy.compactMap { $0 }.first { !$0.isEmpty }
    }

    /// Reads the configuration file named by `--config` or `SESAME_CONFIG_FILE`, if any.
    static func load(flags: [ConfigurationKey: String], configFile: String?, environment: [String: String]) throws -> ConfigurationSources {
        var sources = ConfigurationSources(flags: flags, environment: environment)
        if let path = configFile ?? environment[ConfigurationKey.configFileVariable] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("cannot read the configuration file \(path)")
            }
            sources.file = try parseFile(text, path: path)
        }
        return sources
    }

    /// `KEY=value` lines; blank lines and `#` comments are skipped, and a value may be quoted.
    static func parseFile(_ text: String, path: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhiteSpace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(path):\(index + 1): expected KEY=value")
            }
            let key = line[..<equals].trimmingWhiteSpace()
            guard ConfigurationKey(rawValue: key) != nil else {
                throw ConfigurationError("\(path):\(index + 1): unknown setting \(key)")
            }
            var value = line[line.index(after: equals)...].trimmingWhiteSpace()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
