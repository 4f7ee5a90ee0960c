import Crypto
import Foundation
import SesameCore
import Testing

/// Digests and nonces are written in lower-case hexadecimal, two digits a byte.
@Suite struct HexTests {
    @Test func everyByteIsTwoLowerCaseDigits() {
        #expect([UInt8]().hex == "")
        #expect([0x00, 0x0f, 0x10, 0xab, 0xff].hex == "000f10abff")
        #expect((0...255).map(UInt8.init).hex == (0...255).map { String(format: "%02x", $0) }.joined())
    }

    @Test func aDigestReadsAsSHA256sums() {
        #expect(SHA256.hash(data: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
