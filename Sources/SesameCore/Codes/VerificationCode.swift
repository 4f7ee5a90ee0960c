/// A one-time code as sent to a person: six digits from a CSPRNG. Its description is redacted so that it never
/// reaches a log; only the delivery adapters read ``digits``.
public struct VerificationCode: Sendable, Hashable, CustomStringConvertible {
    public static let length = 6
    public let digits: String

    public init?(_ typed: String) {
        let digits = typed.filter { !$0.isWhitespace }
        guard digits.count == Self.length, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        self.digits = digits
    }

    public static func generate(using random: any RandomSource) -> VerificationCode {
        let number = random.uniform(below: 1_000_000)
        let text = String(number)
        return VerificationCode(digits: String(repeating: "0", count: max(0, length - text.count)) + text)
    }

    private init(digits: String) {
        self.digits = digits
    }

    public var description: String { "VerificationCode(redacted)" }
}
