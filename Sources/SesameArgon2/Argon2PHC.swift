import Foundation
import SesameCore

/// A stored Argon2id hash, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: salt and hash in Base64 without padding,
/// written exactly as libargon2's `argon2id_hash_encoded` writes it (tested), so hashes from before and after read alike.
package struct Argon2PHC: Sendable, Equatable {
    package var parameters: Argon2Parameters
    package var salt: [UInt8]
    package var hash: [UInt8]

    /// Long enough for any salt or hash libargon2 would accept here, short enough that no stored text costs much.
    static let fieldLimit = 1_024

    package init(parameters: Argon2Parameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// `nil` for anything but Argon2id v19 with a salt and a hash in unpadded Base64, written as libargon2 writes it:
    /// a text that says the same in another way (parameters reordered, Base64's unused bits set) is refused, as
    /// libargon2's decoder refuses it.
    package init?(_ text: String) {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard let parameters = Argon2Parameters(phc: text), let salt = fields[checked: 4].flatMap(Self.decode),
            let hash = fields[checked: 5].flatMap(Self.decode)
        else { return nil }
        self.init(parameters: parameters, salt: salt, hash: hash)
        guard self.text == text else { return nil }
    }

    package var text: String {
        "$argon2id$v=\(Argon2Parameters.version)$m=\(parameters.memoryKiB),t=\(parameters.iterations),p=\(parameters.parallelism)$"
            + Self.encode(salt) + "$" + Self.encode(hash)
    }

    private static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().filter { $0 != "=" }
    }

    private static func decode(_ field: Substring) -> [UInt8]? {
        // Padding is not part of the format, and "=" inside would otherwise be read as its end.
        guard !field.isEmpty, field.utf8.count <= fieldLimit, !field.contains("="), field.utf8.count % 4 != 1,
            let data = Data(base64Encoded: String(field) + String(repeating: "=", count: (4 - field.utf8.count % 4) % 4))
        else { return nil }
        return [UInt8](data)
    }
}
