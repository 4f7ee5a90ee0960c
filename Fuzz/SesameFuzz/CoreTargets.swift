import CArgon2
import Crypto
import Foundation
import SesameArgon2
import SesameCore
import SesameTestSupport

/// What users, administrators and imports type: phone numbers, addresses, codes, passwords, answers and CSV files;
/// and what a browser hands over from a passkey.
let coreTargets: [FuzzTarget] = [
    FuzzTarget(name: "phone") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let number = try? PhoneNumber(international: text) {
            require((try? PhoneNumber(international: number.e164)) == number, "an E.164 number reads back as itself")
            require(number.e164.utf8.count <= 16, "E.164 has at most 15 digits")
            _ = number.masked
            let rule = PhoneRule(allowedCountryCodes: nil)
            if rule.permits(number, for: .sms) {
                require(number.isMobile && !number.isNonGeographic, "only a geographic mobile number is texted")
                require(rule.permits(number, for: .voice), "a number that may be texted may be called")
            }
            if rule.permits(number, for: .voice) {
                require(number.isMobile || number.isFixedLine, "only a mobile or a landline is called")
            }
        }
        // The first byte picks the country, as the registration form's list does.
        let callingCode = Int(bytes.first ?? 33)
        if let number = try? PhoneNumber(callingCode: callingCode, number: String(decoding: bytes.dropFirst(), as: UTF8.self)) {
            require((try? PhoneNumber(international: number.e164)) == number, "a national number reads back from its E.164 form")
        }
    },
    FuzzTarget(name: "email") { bytes in
        if let address = try? EmailAddress(String(decoding: bytes, as: UTF8.self)) {
            require((try? EmailAddress(address.value)) == address, "an address reads back as itself")
            require(address.value.utf8.count <= 254, "an address has at most 254 octets")
            _ = address.masked
        }
    },
    FuzzTarget(name: "recovery-code") { bytes in
        guard let code = RecoveryCode(typed: String(decoding: bytes, as: UTF8.self)) else { return }
        require(code.canonical.utf8.count == 16 && (0..<RecoveryCode.setSize).contains(code.slot), "a code is 16 symbols and names a slot of the set")
        require(code.canonical.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) }, "a code is upper-case Crockford Base32")
        require(RecoveryCode(typed: code.grouped) == code && RecoveryCode(typed: code.canonical.lowercased()) == code, "a code reads back as itself")
    },
    FuzzTarget(name: "user-fields") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? UserPrincipalName.validate(text)
        _ = VerificationCode(text)
        _ = SecurityAnswer.normalize(text)
        _ = try? Role.parseList(text)
        _ = SecurityQuestion(identifier: text)
        // What a terminal or a log shows of outside text has no control left in it.
        let shown = PrintableText.escaping(text)
        require(!shown.unicodeScalars.contains { $0.properties.generalCategory == .control }, "no control character is printed")
        require(PrintableText.preview(text).count <= 81, "a preview is short")
    },
    FuzzTarget(name: "cursor") { bytes in
        // Page cursors come back in URLs (docs/scale.md#reports); coverage keys are read back from the database.
        let text = String(decoding: bytes, as: UTF8.self)
        if let cursor = UserCursor(text: text) {
            require(UserCursor(text: cursor.text) == cursor, "a user cursor reads back as itself")
        }
        if let cursor = ActivityCursor(text: text) {
            require(ActivityCursor(text: cursor.text) == cursor, "an activity cursor reads back as itself")
        }
        if let profile = CoverageProfile(key: text) {
            require(CoverageProfile(key: profile.key) == profile, "a coverage key reads back as itself")
        }
        let search = UserSearch.normalize(text)
        require(search.utf8.count <= 128, "a search term is short")
        require(search.unicodeScalars.count <= UserSearch.upperBound(ofPrefix: search).unicodeScalars.count, "a prefix has an upper bound")
    },
    FuzzTarget(name: "password") { bytes in
        // The first line is the user's name, the rest the password typed.
        let text = String(decoding: bytes, as: UTF8.self)
        let name = text.prefix { $0 != "\n" }
        let engine = PasswordPolicyEngine(customBannedTerms: ["contoso", String(name)])
        let context = PasswordContext(givenName: String(name), surname: "Doe", organisationName: "Contoso")
        let password = String(text.dropFirst(name.count + 1))
        _ = engine.check(password, context: context)
        require(engine.score(password, context: context) >= 0, "a score is never negative")
    },
    FuzzTarget(name: "csv") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        guard let records = try? CSV.read(text) else { return }
        // What Sesame writes, it reads back field for field (formula guards aside).
        let written = records.map { CSV.line($0.fields.map { $0.replacingOccurrences(of: "\r", with: "") }) }.joined()
        if let again = try? CSV.read(written) {
            require(again.count <= records.count, "writing adds no record")
        }
    },
    FuzzTarget(name: "captcha") { bytes in
        // A token, a solution and an answer as a visitor could post them, one per line.
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let captcha = Captcha(secret: fuzzSecret, clock: FixedClock(), random: SeededRandomSource(seed: 1))
        let accepted = captcha.check(token: lines.first ?? "", solution: lines.dropFirst().first, answer: lines.dropFirst(2).first)
        require(!accepted, "a token the server did not sign is never accepted")
    },
    FuzzTarget(name: "phc") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = Argon2Parameters(phc: text)
        // What Sesame reads, libargon2's own decoder reads too (at parameters cheap enough to hash here).
        if let stored = Argon2PHC(text), stored.parameters.memoryKiB <= 64, stored.parameters.iterations <= 2, stored.parameters.parallelism <= 2 {
            require(argon2id_verify(text, nil, 0) != ARGON2_DECODING_FAIL.rawValue, "a stored hash libargon2 would not read")
        }
    },
    FuzzTarget(name: "passkey") { bytes in
        // The same bytes as CBOR, authenticator data and client data; then, cut in three by the lengths in the first
        // four bytes (two big-endian 16-bit numbers), as a registration and as an assertion by a passkey whose private
        // key no input knows.
        _ = try? CBORReader.decode(bytes)
        _ = try? AuthenticatorData(bytes)
        _ = try? ClientData(json: bytes)
        let answered = PasskeyChallenge(answered: String(decoding: bytes, as: UTF8.self), for: .signIn, subject: "", at: fuzzDate, secret: fuzzSecret)
        require(answered == nil, "no challenge the server did not make is accepted")
        let lengths = bytes.prefix(4).reduce(into: [Int]()) { $0.append(Int($1)) } + [0, 0, 0, 0]
        let body = Array(bytes.dropFirst(4))
        let first = min(lengths.prefix(2).reduce(0) { $0 << 8 | $1 }, body.count)
        let second = min(lengths.dropFirst(2).prefix(2).reduce(0) { $0 << 8 | $1 }, body.count - first)
        let (one, two, three) = (Array(body.prefix(first)), Array(body.dropFirst(first).prefix(second)), Array(body.dropFirst(first + second)))
        let party = PasskeyRelyingParty(id: "sspr.contoso.com", origin: "https://sspr.contoso.com")
        _ = try? party.register(attestationObject: one, clientDataJSON: two, challenge: fuzzChallenge)
        let accepted = try? party.authenticate(
            authenticatorData: one, clientDataJSON: two, signature: three, challenge: fuzzChallenge, publicKeyCOSE: fuzzPasskey, storedSignCount: 0,
            storedBackupEligible: bytes.count % 2 == 0)
        require(accepted == nil, "no input signs for a key it does not hold")
    },
    FuzzTarget(name: "logo") { bytes in
        if let logo = try? Logo.uploaded(Data(bytes)), logo.type == "image/svg+xml" {
            require(!String(decoding: bytes, as: UTF8.self).lowercased().contains("<script"), "an SVG with a script is refused")
        }
    },
]

/// A fixed secret: no fuzzed token can carry a valid MAC under it.
let fuzzSecret = ServerSecret.generate(using: SeededRandomSource(seed: 42))

let fuzzDate = Date(timeIntervalSince1970: 1_800_000_000)

let fuzzChallenge = [UInt8](repeating: 42, count: 32)

/// The COSE form of a P-256 public key whose private key was thrown away.
let fuzzPasskey: [UInt8] = {
    let point = Array(P256.Signing.PrivateKey().publicKey.x963Representation)
    return [0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20] + point.dropFirst().prefix(32) + [0x22, 0x58, 0x20] + point.suffix(32)
}()

struct FixedClock: WallClock {
    var now: Date { fuzzDate }
}
