import Foundation

extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits a byte: how digests and nonces are written.
    public var hex: String { map { String(format: "%02x", $0) }.joined() }
}
