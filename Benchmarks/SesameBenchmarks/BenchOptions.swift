import Foundation

/// `--key value` pairs.
struct BenchOptions {
    let values: [String: String]

    init(_ arguments: [String]) throws {
        var values: [String: String] = [:]
        var rest = arguments[...]
        while let key = rest.popFirst() {
            guard key.hasPrefix("--"), let value = rest.popFirst() else { throw BenchUsage() }
            values[String(key.dropFirst(2))] = value
        }
        self.values = values
    }

    func text(_ key: String) throws -> String {
        guard let value = values[key] else { throw BenchUsage(message: "--\(key) is missing") }
        return value
    }

    func number(_ key: String) throws -> Int {
        guard let value = Int(try text(key)), value >= 0 else { throw BenchUsage(message: "--\(key) wants a count") }
        return value
    }
}

struct BenchUsage: Error, CustomStringConvertible {
    var message = """
        usage: sesame-bench scale seed (--sqlite PATH | --postgres URL) --users N --admin ID --user ID --password P
               sesame-bench scale csv FILE ROWS
               sesame-bench scale ldif FILE ROWS BASE
               sesame-bench http seed --sqlite PATH --users N --reset-users R --password P
               sesame-bench http run --sink-port P --seconds S [--concurrency 8,32] [--sesame URL --sesame-pid PID --users N
                   --reset-users R --password P [--expected-rate F]] [--privacyidea-env FILE] [--flows registration,wrong,reset]
        """
    var description: String { message }
}
