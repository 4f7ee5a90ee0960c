import Foundation

/// The sixteen digits of `uuidString`, in ASCII.
private let upperHexDigits = Array("0123456789ABCDEF".utf8)

extension UUID {
    /// What `uuidString` writes (upper-case, dashes after the 4th, 6th, 8th and 10th bytes), from a table. The stores
    /// write every id with it: Foundation formats it with `snprintf`, a twentieth of Sesame's processor time in a
    /// directory sync (docs/scale.md#batches).
    package var text: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var written = 0
                for (position, byte) in bytes.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[written] = UInt8(ascii: "-")
                        written += 1
                    }
                    buffer[written] = upperHexDigits[Int(byte >> 4)]
                    buffer[written + 1] = upperHexDigits[Int(byte & 0x0F)]
                    written += 2
                }
                return written
            }
        }
    }
}
