import Crypto
import Foundation

/// An offline Bloom filter of breached passwords (docs/security.md#breached-passwords), built by
/// `scripts/data/breached-passwords.sh`, whose header documents the format.
///
/// A password is looked up as its NFKC form, lowercased: the list was lowercased by its publisher, so a lowercase
/// look-up is the same normalisation the list went through.
public struct BreachedPasswordFilter: Sendable {
    public enum LoadError: Error, Equatable {
        case notBase64, truncated, badMagic, unsupportedVersion, badParameters, checksumMismatch
    }

    private static let magic = Array("SSMBLOOM".utf8)
    private static let headerLength = 8 + 4 + 4 + 8 + 4 + 32

    private let bits: [UInt8]
    private let bitCount: UInt64
    private let hashCount: Int
    /// How many passwords the filter holds.
    public let entries: Int

    /// Decodes and checks a filter; any damage throws, so a corrupt filter stops the server at start.
    public init(base64 text: String) throws(LoadError) {
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else { throw .notBase64 }
        let bytes = [UInt8](data)
        guard bytes.count >= Self.headerLength else { throw .truncated }
        guard bytes.prefix(8).elementsEqual(Self.magic) else { throw .badMagic }
        guard Self.integer(bytes, at: 8, size: 4) == 1 else { throw .unsupportedVersion }
        let hashCount = Self.integer(bytes, at: 12, size: 4)
        let bitCount = Self.integer(bytes, at: 16, size: 8)
        let body = Array(bytes.dropFirst(Self.headerLength))
        guard (1...32).contains(hashCount), bitCount > 0, UInt64(body.count) == (bitCount + 7) / 8 else {
            throw .badParameters
        }
        guard SHA256.hash(data: body).elementsEqual(bytes[28..<60]) else { throw .checksumMismatch }
        self.bits = body
        self.bitCount = bitCount
        self.hashCount = Int(hashCount)
        self.entries = Int(Self.integer(bytes, at: 24, size: 4))
    }

    /// The filter compiled into Sesame. `sesame serve` checks it at start (``loadShipped()``), so that a damaged
    /// generated file stops the server there with its reason; a command that sets a password stops here.
    public static let shared: BreachedPasswordFilter = {
        do {
            return try BreachedPasswordFilter(base64: shipped)
        } catch {
            // A damaged build must not run without its filter; `sesame serve` reports the reason at start.
            fatalError("damaged breached-password filter: \(error)")  // trap-safe: compiled-in data, checked at start
        }
    }()

    /// Checks the shipped filter, throwing what is wrong with it; returns how many passwords it holds.
    public static func loadShipped() throws(LoadError) -> Int {
        try BreachedPasswordFilter(base64: shipped).entries
    }

    /// Whether the password is (probably) on the list; false positives about 1 in 12 million (docs/security.md#breached-passwords).
    public func contains(_ password: String) -> Bool {
        let key = Array(password.precomposedStringWithCompatibilityMapping.lowercased().utf8)
        let digest = Array(SHA256.hash(data: key))
        let first = Self.integer(digest, at: 0, size: 8)
        let step = Self.integer(digest, at: 8, size: 8) | 1
        for round in 0..<UInt64(hashCount) {
            let bit = (first &+ round &* step) % bitCount
            let byte = bits[Int(bit / 8)]
            if byte & (1 << (bit % 8)) == 0 { return false }
        }
        return true
    }

    /// A little-endian unsigned integer of `size` bytes; callers pass offsets inside the checked header or digest.
    private static func integer(_ bytes: [UInt8], at offset: Int, size: Int) -> UInt64 {
        bytes[offset..<(offset + size)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
