#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a text is an IPv4 or IPv6 address, as `inet_pton` reads them: a forwarded address that is anything else
/// (a proxy's bug, or a forged header behind a careless proxy) is not believed.
package enum IPAddress {
    package static func isValid(_ text: String) -> Bool {
        // Hex digits, dots and colons only: a NUL would end the C string early and let `1.2.3.4\0junk` through.
        guard !text.isEmpty, text.utf8.count <= 45,
            text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") || UInt8(ascii: "0")...UInt8(ascii: "9") ~= $0
                || UInt8(ascii: "a")...UInt8(ascii: "f") ~= $0 || UInt8(ascii: "A")...UInt8(ascii: "F") ~= $0 })
        else { return false }
        var storage = in6_addr()
        return text.withCString { inet_pton(AF_INET, $0, &storage) == 1 || inet_pton(AF_INET6, $0, &storage) == 1 }
    }

    /// What the per-network limits count a client as: an IPv4 address itself (an IPv4-mapped IPv6 address too), and
    /// an IPv6 address's /64, one subscriber's usual share, so that walking through its 2⁶⁴ addresses is still one
    /// client (docs/security.md#abuse). Anything else is kept as it is.
    package static func network(_ text: String) -> String {
        var address = in6_addr()
        guard text.contains(":"), text.withCString({ inet_pton(AF_INET6, $0, &address) }) == 1 else { return text }
        let bytes = withUnsafeBytes(of: address) { Array($0) }
        if Array(bytes.prefix(12)) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] {
            return bytes.suffix(4).map(String.init).joined(separator: ".")
        }
        let network = Array(bytes.prefix(8)) + [UInt8](repeating: 0, count: 8)
        var prefix = in6_addr()
        withUnsafeMutableBytes(of: &prefix) { $0.copyBytes(from: network) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &prefix, &buffer, socklen_t(buffer.count)) != nil else { return text }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/64"
    }
}
