/// `?page=` of a paged admin list, from 1 to a million: its offset is `(page - 1) × page size`, and an unchecked
/// `page=9223372036854775807` overflowed that product and stopped the server (docs/security.md#parsers).
enum PageNumber {
    static let maximum = 1_000_000

    static func parse(_ text: String?) -> Int {
        min(max(text.flatMap { Int($0) } ?? 1, 1), maximum)
    }
}
