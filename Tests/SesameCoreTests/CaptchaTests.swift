import Foundation
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
        // Issued sums are of 1 to 9: rewrite them to 0 + 0 and answer 0.
        parts[4] = "0"
        parts[5] = "0"
        #expect(!captcha.check(token: parts.joined(separator: "."), solution: nil, answer: "0"), "the sum is signed")
        let other = Captcha(secret: .generate(using: SeededRandomSource(seed: 5)), clock: clock, random: SystemRandomSource(), bits: 10)
        #expect(!other.check(token: token, solution: solution, answer: nil))
        #expect(!captcha.check(token: "garbage", solution: "1", answer: "2"))
        clock.advance(by: 300)
        #expect(!captcha.check(token: token, solution: solution, answer: nil), "expired after 5 minutes")
    }
}
