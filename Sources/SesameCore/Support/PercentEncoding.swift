extension StringProtocol {
    /// The UTF-8 bytes with all but RFC 3986's unreserved characters (letters and digits of ASCII, `-._~`) written
    /// `%XX`: what a form body or a URL's query needs, so that no `&`, `=`, `+` or space in a value changes its
    /// meaning. Foundation's `addingPercentEncoding` would do the same, but on Linux each predefined `CharacterSet`
    /// it is given is fetched under one lock for the whole process (docs/architecture.md#threads).
    package var percentEncodedUnreserved: String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(utf8.count)
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded.append(UInt8(ascii: "%"))
                encoded.append(digits[Int(byte >> 4)])
                encoded.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
