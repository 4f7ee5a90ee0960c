import Crypto
import Foundation

/// The "Who are you?" CAPTCHA, needing no outside service: a proof of work the page's script solves (find a number
/// whose SHA-256 with the challenge starts with `bits` zero bits), or, with script off, a small sum to type — both
/// signed with the server secret and valid for 5 minutes, so any instance can check them.
public struct Captcha: Sendable {
    public static let lifetime: TimeInterval = 300
    public let bits: Int
    private let secret: ServerSecret
    private let clock: any WallClock
    private let random: any RandomSource

    public init(secret: ServerSecret, clock: any WallClock, random: any RandomSource, bits: Int = 14) {
        self.secret = secret
        self.clock = clock
        self.random = random
        self.bits = bits
    }

    /// A new challenge: the proof-of-work token, and the sum asked of visitors without script.
    public func issue() -> (token: String, first: Int, second: Int) {
        let expires = Int(clock.now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
        let nonce = random.bytes(12).map { String(format: "%02x", $0) }.joined()
        let first = Int(random.uniform(below: 9)) + 1
        let second = Int(random.uniform(below: 9)) + 1
        let body = "v1.\(expires).\(nonce).\(bits).\(first).\(second)"
        return (body + "." + hex(secret.mac("captcha|" + body)), first, second)
    }

    /// Whether `token` is genuine and unexpired, and either `solution` completes the work or `answer` is the sum.
    public func check(token: String, solution: String?, answer: String?) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[checked: 0] == "v1", let expires = parts[checked: 1].flatMap(Double.init),
            let bits = parts[checked: 3].flatMap(Int.init), let first = parts[checked: 4].flatMap(Int8.init),
            let second = parts[checked: 5].flatMap(Int8.init), bits == self.bits, clock.now.timeIntervalSince1970 < expires,
            let mac = parts[checked: 6].flatMap(bytes(fromHex:))
        else { return false }
        let body = parts.prefix(6).joined(separator: ".")
        guard secret.isValid(mac: mac, for: "captcha|" + body) else { return false }
        // Read as Int8 and added as Int, the terms cannot overflow whatever a token says.
        if let answer, Int(answer.trimmingCharacters(in: .whitespaces)) == Int(first) + Int(second) { return true }
        guard let solution, !solution.isEmpty, solution.count <= 12, solution.allSatisfy(\.isNumber) else { return false }
        return Self.leadingZeroBits(SHA256.hash(data: Data("\(token):\(solution)".utf8))) >= bits
    }

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

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

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
