import SesameCore

/// Argon2id cost parameters, stored with every hash in its PHC string so that they can be raised later.
public struct Argon2Parameters: Sendable, Hashable {
    /// Memory in KiB.
    public var memoryKiB: UInt32
    public var iterations: UInt32
    public var parallelism: UInt32

    public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// m = 19 MiB, t = 2, p = 1, OWASP's recommended minimum for Argon2id (docs/behaviour.md#passwords).
    public static let `default` = Argon2Parameters(memoryKiB: 19 * 1024, iterations: 2, parallelism: 1)

    public static let saltLength = 16
    public static let hashLength = 32
    static let version: UInt32 = 19

    /// Reads the parameters of a PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`; `nil` if it is not Argon2id v19.
    public init?(phc: String) {
        let fields = phc.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[checked: 0]?.isEmpty == true, fields[checked: 1] == "argon2id",
            fields[checked: 2] == "v=\(Self.version)", let list = fields[checked: 3]
        else { return nil }
        var values: [Substring: UInt32] = [:]
        for pair in list.split(separator: ",") {
            let name = pair.prefix { $0 != "=" }
            guard let number = UInt32(pair.dropFirst(name.count + 1)) else { return nil }
            values[name] = number
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        self.init(memoryKiB: m, iterations: t, parallelism: p)
    }
}
