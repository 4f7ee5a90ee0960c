#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Searches of a page's text on its bytes. The load generator shares the machine with the server it measures, and a
/// Swift regex (parsed again at each use) or Foundation's `contains` on every page took 40 % of its processor time,
/// time the server then did not have (README.md#over-http-beside-privacyidea).
extension String {
    /// Whether the text holds `needle`, byte for byte.
    func holds(_ needle: String) -> Bool {
        byteOffset(of: needle) != nil
    }

    /// The text that follows the first `prefix`, up to the next `end`; `nil` when there is none or it is empty.
    func value(after prefix: String, until end: UInt8 = UInt8(ascii: "\"")) -> String? {
        guard let start = byteOffset(of: prefix).map({ $0 + prefix.utf8.count }) else { return nil }
        let rest = utf8.dropFirst(start)
        guard let stop = rest.firstIndex(of: end), stop > rest.startIndex else { return nil }
        return String(rest[rest.startIndex..<stop])
    }

    /// The first run of exactly six ASCII digits, as in "Your code is 123456.".
    var firstSixDigits: String? {
        let bytes = Array(utf8)
        var run = 0
        for (index, byte) in bytes.enumerated() {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                run += 1
                continue
            }
            if run == 6 { return String(decoding: bytes[(index - 6)..<index], as: UTF8.self) }
            run = 0
        }
        return run == 6 ? String(decoding: bytes.suffix(6), as: UTF8.self) : nil
    }

    /// memchr finds each candidate for the first byte, memcmp checks the rest (glibc's memmem is not in Swift's view
    /// of the C library).
    private func byteOffset(of needle: String) -> Int? {
        var haystack = self
        var needle = needle
        return haystack.withUTF8 { haystack -> Int? in
            needle.withUTF8 { needle -> Int? in
                guard let base = haystack.baseAddress, let wanted = needle.baseAddress, !needle.isEmpty else { return nil }
                var offset = 0
                while haystack.count - offset >= needle.count {
                    guard let found = memchr(base + offset, Int32(wanted.pointee), haystack.count - offset - needle.count + 1) else { return nil }
                    let at = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
                    if memcmp(base + at, wanted, needle.count) == 0 { return at }
                    offset = at + 1
                }
                return nil
            }
        }
    }
}
