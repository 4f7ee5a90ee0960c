import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562, section 5.7): the Unix time in milliseconds in its first 48 bits, then 74 random
    /// bits. Users, log rows, code challenges and queued messages take these ids so that a new row lands at the end of
    /// its indexes, not on a random page of them: at a million users, that is what keeps an import from rewriting
    /// most of the database (docs/scale.md#batches). The time it shows is its row's creation, which the row holds
    /// anyway; the random bits keep it unguessable. Times before 1970 or past the year 10889 are written as 0.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        let seconds = date.timeIntervalSince1970
        let milliseconds: UInt64 = seconds >= 0 && seconds < 281_474_976_710.655 ? UInt64(seconds * 1_000) : 0
        var generator = SystemRandomNumberGenerator()
        let random = (generator.next() as UInt64, generator.next() as UInt64)
        // 48 bits of time, version 7 and 12 random bits; variant 0b10 and 62 random bits.
        let high = milliseconds << 16 | 0x7000 | random.0 & 0x0FFF
        let low = 0x8000_0000_0000_0000 | random.1 & 0x3FFF_FFFF_FFFF_FFFF
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        return bytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
    }
}
