/// A CBOR data item (RFC 8949), as much of it as WebAuthn uses: integers, byte and text strings, arrays, maps,
/// booleans and null. Floats, tags and indefinite lengths are refused; an authenticator never sends them.
public enum CBOR: Sendable, Hashable {
    case unsigned(UInt64)
    /// The integer `-1 - n`.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([Entry])
    case bool(Bool)
    case null

    public struct Entry: Sendable, Hashable {
        public var key: CBOR
        public var value: CBOR

        public init(key: CBOR, value: CBOR) {
            self.key = key
            self.value = value
        }
    }

    /// The value under `key` in a map; `nil` for anything else.
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// A COSE label (RFC 9052): `key[label: 3]` is a key's algorithm.
    public subscript(label label: Int) -> CBOR? { self[CBOR(label)] }
    public subscript(key: String) -> CBOR? { self[.text(key)] }

    public init(_ integer: Int) {
        self = integer >= 0 ? .unsigned(UInt64(integer)) : .negative(UInt64(-(integer + 1)))
    }

    /// The integer, when it fits in an `Int`.
    public var integer: Int? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int.max) ? Int(value) : nil
        case .negative(let value): value <= UInt64(Int.max) ? -Int(value) - 1 : nil
        default: nil
        }
    }

    public var byteString: [UInt8]? {
        guard case .bytes(let bytes) = self else { return nil }
        return bytes
    }

    public var textString: String? {
        guard case .text(let text) = self else { return nil }
        return text
    }
}

/// Reads CBOR from outside bytes, bounded so that no input can make it recurse deeply or allocate much: a length or a
/// count larger than what is left of the input is refused before anything is read, and arrays and maps grow as their
/// items arrive, never reserved from a count the input claims (docs/security.md#passkeys).
public struct CBORReader {
    public static let maximumDepth = 8
    public static let maximumItems = 512

    private let bytes: [UInt8]
    /// Where the next item starts.
    public private(set) var offset: Int
    private var items = 0

    public init(_ bytes: [UInt8], from offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// The one item `bytes` holds; anything after it is refused.
    public static func decode(_ bytes: [UInt8]) throws(PasskeyError) -> CBOR {
        var reader = CBORReader(bytes)
        let item = try reader.read()
        guard reader.offset == bytes.count else { throw .malformed("bytes after the CBOR item") }
        return item
    }

    /// The next item, moving past it.
    public mutating func read() throws(PasskeyError) -> CBOR {
        try read(depth: 0)
    }

    private mutating func read(depth: Int) throws(PasskeyError) -> CBOR {
        guard depth < Self.maximumDepth else { throw .malformed("CBOR nested too deeply") }
        items += 1
        guard items <= Self.maximumItems else { throw .malformed("too many CBOR items") }
        let initial = try byte()
        let major = initial >> 5
        let argument = try self.argument(initial & 0x1F)
        switch major {
        case 0: return .unsigned(argument)
        case 1: return .negative(argument)
        case 2: return .bytes(try take(argument))
        case 3:
            guard let text = String(validating: try take(argument), as: UTF8.self) else { throw .malformed("CBOR text is not UTF-8") }
            return .text(text)
        case 4:
            let count = try count(argument)
            var array: [CBOR] = []
            for _ in 0..<count { array.append(try read(depth: depth + 1)) }
            return .array(array)
        case 5:
            let count = try count(argument)
            var entries: [CBOR.Entry] = []
            for _ in 0..<count {
                let key = try read(depth: depth + 1)
                guard !entries.contains(where: { $0.key == key }) else { throw .malformed("a CBOR map repeats a key") }
                entries.append(CBOR.Entry(key: key, value: try read(depth: depth + 1)))
            }
            return .map(entries)
        case 7:
            switch initial & 0x1F {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            default: throw .malformed("CBOR float or simple value")
            }
        default:
            throw .malformed("CBOR tag")
        }
    }

    private mutating func byte() throws(PasskeyError) -> UInt8 {
        guard offset < bytes.count else { throw .malformed("CBOR ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// The item's argument: the value itself below 24, else the next 1, 2, 4 or 8 bytes, big-endian.
    private mutating func argument(_ info: UInt8) throws(PasskeyError) -> UInt64 {
        switch info {
        case 0..<24: return UInt64(info)
        case 24...27:
            var value: UInt64 = 0
            for _ in 0..<(1 << (info - 24)) { value = value << 8 | UInt64(try byte()) }
            return value
        default:
            throw .malformed("CBOR indefinite length or reserved value")
        }
    }

    /// `length` bytes, when that many are left.
    private mutating func take(_ length: UInt64) throws(PasskeyError) -> [UInt8] {
        guard length <= UInt64(bytes.count - offset) else { throw .malformed("a CBOR string is longer than the input") }
        let end = offset + Int(length)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    /// An array's or map's count, when the input could hold that many items (each takes at least one byte).
    private func count(_ argument: UInt64) throws(PasskeyError) -> Int {
        guard argument <= UInt64(bytes.count - offset) else { throw .malformed("a CBOR count is larger than the input") }
        return Int(argument)
    }
}
