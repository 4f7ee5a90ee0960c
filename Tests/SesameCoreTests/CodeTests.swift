import Foundation
import SesameTestSupport
import Testing

@testable import SesameCore

@Suite struct VerificationCodeTests {
    @Test func sixDigitsUniformlyDrawn() {
        let random = SeededRandomSource(seed: 42)
        var firstDigits: [Character: Int] = [:]
        for _ in 0..<5_000 {
            let code = VerificationCode.generate(using: random)
            #expect(code.digits.count == 6 && code.digits.allSatisfy(\.isNumber))
            firstDigits[code.digits.first!, default: 0] += 1
        }
        // Leading zeros are kept, and each leading digit turns up about a tenth of the time.
        #expect(firstDigits.count == 10)
        #expect(firstDigits.values.allSatisfy { (350...650).contains($0) })
    }

    @Test func typedCodes() {
        #expect(VerificationCode("123 456")?.digits == "123456")
        #expect(VerificationCode("12345") == nil)
        #expect(VerificationCode("1234567") == nil)
        #expect(VerificationCode("12a456") == nil)
        #expect(VerificationCode("١٢٣٤٥٦") == nil, "non-ASCII digits")
    }

    @Test func neverPrinted() {
        let code = VerificationCode("654321")!
        #expect(!"\(code)".contains("654321"))
        #expect(!String(reflecting: ServerSecret.generate(using: SeededRandomSource(seed: 1))).contains("0x"))
    }

    @Test func macBindsChallengeDestinationAndCode() throws {
        let secret = ServerSecret.generate(using: SeededRandomSource(seed: 7))
        let id = UUID()
        let code = VerificationCode("000123")!
        let mac = secret.mac(CodeChallenge.macMessage(id: id, destination: "+33612345678", code: code))
        #expect(secret.isValid(mac: mac, for: CodeChallenge.macMessage(id: id, destination: "+33612345678", code: code)))
        #expect(!secret.isValid(mac: mac, for: CodeChallenge.macMessage(id: id, destination: "+33612345679", code: code)))
        #expect(!secret.isValid(mac: mac, for: CodeChallenge.macMessage(id: UUID(), destination: "+33612345678", code: code)))
        #expect(!secret.isValid(mac: mac, for: CodeChallenge.macMessage(id: id, destination: "+33612345678", code: VerificationCode("000124")!)))
        let other = ServerSecret.generate(using: SeededRandomSource(seed: 8))
        #expect(!other.isValid(mac: mac, for: CodeChallenge.macMessage(id: id, destination: "+33612345678", code: code)))
    }

    @Test func serverSecretLength() {
        #expect(throws: ServerSecretError.wrongLength(31)) { try ServerSecret(bytes: Array(repeating: 1, count: 31)) }
        #expect(CodeRules.default.lifetime == 300 && CodeRules.default.attempts == 3)
    }
}

@Suite struct ThrottleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func rulesMatchTheContract() {
        #expect(ThrottleKind.identityProof.rule == ThrottleRule(limit: 20, window: 86_400, block: 86_400))
        #expect(ThrottleKind.addressIdentityProof.rule == ThrottleRule(limit: 5, window: 86_400, block: 86_400))
        #expect(ThrottleKind.signInCaptcha.rule == ThrottleRule(limit: 3, window: 600, block: 1_800))
        #expect(ThrottleKind.phoneSend.rule == ThrottleRule(limit: 5, window: 3_600, block: 86_400))
        #expect(ThrottleKind.emailSend.rule == ThrottleRule(limit: 10, window: 600, block: 86_400))
        #expect(ThrottleKind.destinationPhone.rule == ThrottleRule(limit: 5, window: 3_600, block: 3_600))
        #expect(ThrottleKind.clientResetStart.rule == ThrottleRule(limit: 20, window: 600, block: 600))
        #expect(ThrottleKind.dailyPhoneSend.rule == ThrottleRule(limit: 20, window: 86_400, block: 86_400))
        #expect(ThrottleKind.dailyEmailSend.rule == ThrottleRule(limit: 20, window: 86_400, block: 86_400))
        #expect(ThrottleKind.dailyPhoneCheck.rule == ThrottleRule(limit: 20, window: 86_400, block: 86_400))
        #expect(ThrottleKind.clientSend.rule == ThrottleRule(limit: 20, window: 3_600, block: 3_600))
        #expect(ThrottleKind.phoneCheck.rule == ThrottleRule(limit: 5, window: 3_600, block: 86_400))
        #expect(ThrottleKind.clientSignIn.rule == ThrottleRule(limit: 30, window: 600, block: 1_800))
        #expect(ThrottleKind.registrationProof.rule == ThrottleRule(limit: 10, window: 86_400, block: 86_400))
        #expect(ThrottleKind.reportedEvent.rule == ThrottleRule(limit: 1, window: 86_400, block: 86_400))
        #expect(ThrottleKind.perUser == [.identityProof, .addressIdentityProof, .reportedEvent, .phoneSend, .emailSend, .dailyPhoneSend, .dailyEmailSend, .dailyPhoneCheck])
    }

    @Test func fifthEventBlocksTheSixth() {
        let rule = ThrottleKind.addressIdentityProof.rule
        var state: ThrottleState? = nil
        for index in 1...5 {
            let outcome = ThrottleState.recordingEvent(state, rule: rule, at: start.addingTimeInterval(Double(index)))
            #expect(outcome.allowed)
            #expect(outcome.state.count == index)
            state = outcome.state
        }
        #expect(state!.isBlocked(at: start.addingTimeInterval(6)))
        #expect(state!.blockedUntil == start.addingTimeInterval(5 + 86_400))
        let sixth = ThrottleState.recordingEvent(state, rule: rule, at: start.addingTimeInterval(3_600))
        #expect(!sixth.allowed)
        #expect(sixth.state == state)
        // Once the block ends, counting starts again.
        let later = ThrottleState.recordingEvent(state, rule: rule, at: start.addingTimeInterval(5 + 86_400))
        #expect(later.allowed && later.state.count == 1 && !later.state.isBlocked(at: start.addingTimeInterval(6 + 86_400)))
    }

    @Test func aNewWindowStartsAfterTheOldOneEnds() {
        let rule = ThrottleKind.phoneSend.rule
        var state = ThrottleState.recordingEvent(nil, rule: rule, at: start).state
        for index in 1...3 { state = ThrottleState.recordingEvent(state, rule: rule, at: start.addingTimeInterval(Double(index))).state }
        #expect(state.count == 4)
        let next = ThrottleState.recordingEvent(state, rule: rule, at: start.addingTimeInterval(3_600)).state
        #expect(next.count == 1 && next.windowStart == start.addingTimeInterval(3_600))
    }
}
