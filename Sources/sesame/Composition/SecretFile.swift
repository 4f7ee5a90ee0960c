import Foundation
import SesameCore

/// The server secret on disk: 64 hexadecimal characters. With SQLite it is created on first start (mode 0600);
/// with PostgreSQL every instance must be given the same one, so a missing file is an error.
enum SecretFile {
    static func load(path: String, createIfMissing: Bool, random: any RandomSource) throws -> ServerSecret {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard createIfMissing else {
                throw ConfigurationError(
                    "SESAME_SECRET_FILE: \(path) does not exist; every instance sharing a PostgreSQL database must be given the same secret (create one with: head -c 32 /dev/urandom | xxd -p -c 64 > \(path))")
            }
            let secret = ServerSecret.generate(using: random)
            let text = secret.bytes.hex + "\n"
            guard manager.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ConfigurationError("cannot create the server secret \(path)")
            }
            return secret
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("cannot read the server secret \(path)")
        }
        let hex = text.trimmingWhiteSpaceAndNewlines()
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
            let byte = UInt8(hex[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        guard index == hex.endIndex, let secret = try? ServerSecret(bytes: bytes) else {
            throw ConfigurationError("\(path): the server secret must be 64 hexadecimal characters (32 bytes)")
        }
        return secret
    }
}
