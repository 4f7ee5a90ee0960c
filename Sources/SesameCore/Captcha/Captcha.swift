import Crypto
import Foundation

/// The "Who are you?" CAPTCHA, needing no outside service: a proof of work the page's script solves (find a number
/// whose SHA-256 with the challenge starts with `bits` zero bits), or, with script off, a small sum to type — both
/// signed with the server secret and valid for 5 minutes, so any instance can check them.
///
/// The sum is in the token only sealed (an HMAC of the sum under the server secret), so the token tells nothing of
/// the answer. This type checks a token; ``CaptchaGate`` spends it, so that each token is used once.
public struct Captcha: Sendable {
    public static let lifetime: TimeInterval = 300
    public let bits: Int
    private let secret: ServerSecret
    private let clock: any WallClock
    private let random: any RandomSource

    /// A genuine, unexpired token, opened: what ``accepts(_:solution:answer:)`` checks the visitor's proof against.
    public struct Ticket: Sendable, Hashable {
        /// Unique to the token: the key under which it is spent.
        public let nonce: String
        let token: String
        let head: String
        let sealedSum: [UInt8]
    }

    public init(secret: ServerSecret, clock: any WallClock, random: any RandomSource, bits: Int = 14) {
        self.secret = secret
        self.clock = clock
        self.random = random
        self.bits = bits
    }

    /// A new challenge: the token, and the sum asked of visitors without script (shown on the page, never in the token).
    public func issue() -> (token: String, first: Int, second: Int) {
        let expires = Int(clock.now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
        let nonce = random.bytes(12).hex
        let first = Int(random.uniform(below: 9)) + 1
        let second = Int(random.uniform(below: 9)) + 1
        let head = "v2.\(expires).\(nonce).\(bits)"
        let body = head + "." + secret.mac(Self.sumMessage(head, first + second)).hex
        return (body + "." + secret.mac("captcha|" + body).hex, first, second)
    }

    /// The token when it is genuine (signed by this server's secret, for this difficulty) and unexpired.
    public func open(_ token: String) -> Ticket? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[checked: 0] == "v2", let expires = parts[checked: 1].flatMap(Double.init),
            parts[checked: 3].flatMap(Int.init) == bits, clock.now.timeIntervalSince1970 < expires, let nonce = parts[checked: 2],
            let sealedSum = parts[checked: 4].flatMap(bytes(fromHex:)), let mac = parts[checked: 5].flatMap(bytes(fromHex:))
        else { return nil }
        guard secret.isValid(mac: mac, for: "captcha|" + parts.prefix(5).joined(separator: ".")) else { return nil }
        return Ticket(nonce: nonce, token: token, head: parts.prefix(4).joined(separator: "."), sealedSum: sealedSum)
    }

    /// Whether `answer` is the ticket's sum, or else `solution` completes its work.
    public func accepts(_ ticket: Ticket, solution: String?, answer: String?) -> Bool {
        if let answer, let sum = Int(answer.trimmingWhiteSpace()), (2...18).contains(sum) {
            return secret.isValid(mac: ticket.sealedSum, for: Self.sumMessage(ticket.head, sum))
        }
        guard let solution, !solution.isEmpty, solution.count <= 12, solution.allSatisfy(\.isNumber) else { return false }
        return Self.leadingZeroBits(SHA256.hash(data: Data("\(ticket.token):\(solution)".utf8))) >= bits
    }

    /// Whether `token` is genuine and unexpired, and either `solution` completes the work or `answer` is the sum; it
    /// does not spend the token, so it is not for pages: they go through ``CaptchaGate``.
    package func check(token: String, solution: String?, answer: String?) -> Bool {
        guard let ticket = open(token) else { return false }
        return accepts(ticket, solution: solution, answer: answer)
    }

    /// What the sum's seal authenticates: the token's head binds it to this token alone.
    private static func sumMessage(_ head: String, _ sum: Int) -> String { "captcha.sum|\(head)|\(sum)" }

    /// Solves a token, as the page's script does (for tests and benchmarks).
    public static func solve(_ token: String, bits: Int) -> String {
        var counter = 0
        while leadingZeroBits(SHA256.hash(data: Data("\(token):\(counter)".utf8))) < bits { counter += 1 }
        return String(counter)
    }

    static func leadingZeroBits(_ digest: SHA256.Digest) -> Int {
        var count = 0
        for byte in digest {
            if byte == 0 {
                count += 8
                continue
            }
            return count + byte.leadingZeroBitCount
        }
        return count
    }

    private func bytes(fromHex text: String) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }
}
