import Foundation
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameCore

@Suite struct CaptchaTests {
    let clock = ManualClock()
    let secret = ServerSecret.generate(using: SeededRandomSource(seed: 4))

    var captcha: Captcha { Captcha(secret: secret, clock: clock, random: SystemRandomSource(), bits: 10) }

    @Test func solvedWorkOrTheRightSumPasses() {
        let (token, first, second) = captcha.issue()
        #expect(captcha.check(token: token, solution: Captcha.solve(token, bits: 10), answer: nil))
        #expect(captcha.check(token: token, solution: nil, answer: " \(first + second) "))
        #expect(!captcha.check(token: token, solution: nil, answer: String(first + second + 1)))
        #expect(!captcha.check(token: token, solution: "1", answer: nil) || Captcha.solve(token, bits: 10) == "1")
        #expect(!captcha.check(token: token, solution: nil, answer: nil))
    }

    @Test func forgedStaleOrForeignTokensFail() {
        let (token, _, _) = captcha.issue()
        let solution = Captcha.solve(token, bits: 10)
        var parts = token.split(separator: ".").map(String.init)
        // The sealed sum swapped for another token's: the signature covers it.
        parts[4] = captcha.issue().token.split(separator: ".").map(String.init)[4]
        #expect(!captcha.check(token: parts.joined(separator: "."), solution: solution, answer: nil), "the sealed sum is signed")
        let other = Captcha(secret: .generate(using: SeededRandomSource(seed: 5)), clock: clock, random: SystemRandomSource(), bits: 10)
        #expect(!other.check(token: token, solution: solution, answer: nil))
        #expect(!captcha.check(token: "garbage", solution: "1", answer: "2"))
        clock.advance(by: 300)
        #expect(!captcha.check(token: token, solution: solution, answer: nil), "expired after 5 minutes")
    }

    /// Hands out the same nonce every time and the operands it is told, so that two challenges differ by their sum alone.
    final class ScriptedRandom: RandomSource {
        private let operands: Mutex<[UInt8]>

        init(operands: [UInt8]) { self.operands = Mutex(operands) }

        func bytes(_ count: Int) -> [UInt8] {
            // Operands are drawn 4 bytes at a time (`uniform(below: 9)`); anything else is the nonce.
            operands.withLock { operands in
                guard count == 4, !operands.isEmpty else { return Array(repeating: 0xAB, count: count) }
                return [0, 0, 0, operands.removeFirst()]
            }
        }
    }

    @Test func theTokenDoesNotRevealTheAnswer() {
        let one = Captcha(secret: secret, clock: clock, random: ScriptedRandom(operands: [0, 1]), bits: 10).issue()
        let other = Captcha(secret: secret, clock: clock, random: ScriptedRandom(operands: [4, 7]), bits: 10).issue()
        #expect((one.first, one.second, other.first, other.second) == (1, 2, 5, 8))
        let a = one.token.split(separator: "."), b = other.token.split(separator: ".")
        #expect(a.count == b.count)
        for (left, right) in zip(a, b) where left != right {
            // What depends on the sum is keyed with the server secret: 128 bits or more, never the numbers.
            #expect(left.count >= 32 && left.allSatisfy(\.isHexDigit), "\(left) reveals something of the sum")
            #expect(right.count >= 32 && right.allSatisfy(\.isHexDigit), "\(right) reveals something of the sum")
        }
        for part in a { #expect(!["1", "2", "3"].contains(String(part)), "an operand or the sum in clear: \(one.token)") }
    }
}
