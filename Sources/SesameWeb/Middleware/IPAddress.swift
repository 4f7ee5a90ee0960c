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
}
