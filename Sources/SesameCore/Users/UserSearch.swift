import Foundation

/// The administrators' user search (docs/scale.md#search): a prefix of any word of a user's ID, names or email
/// addresses, case and accents ignored. Stores index each user's terms, so a search reads a range of an index and
/// answers in the same time with a thousand users or a million.
public enum UserSearch {
    /// Terms are cut to this many UTF-8 bytes: a prefix search never needs more, the index stays small, and no
    /// term comes near PostgreSQL's limit on an index row (one character may be thousands of bytes).
    static let maximumTermBytes = 128

    /// What a stored term and a typed search are compared as: lowercased, accents removed, trimmed, cut to whole
    /// characters within ``maximumTermBytes``.
    public static func normalize(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // Printable ASCII, most names and addresses, folds by lowercasing alone, a byte at a time: an import of
            // new users spent a sixth of its time in Foundation's folding before this.
            let trimmed = text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed()
            return String(decoding: trimmed.prefix(maximumTermBytes).map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        }
        // Control characters are no part of a name, and PostgreSQL refuses a NUL even as a query's value: dropped
        // first, so that what is left is trimmed and normalising twice changes nothing more.
        let visible = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
        let folded = visible.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .trimmingWhiteSpaceAndNewlines()
        var cut = ""
        var bytes = 0
        for character in folded {
            bytes += character.utf8.count
            guard bytes <= maximumTermBytes else { break }
            cut.append(character)
        }
        return cut
    }

    /// The terms a user is found by: the whole user ID, names and alternate email, and each word of the names and of
    /// the addresses' local parts ("marie.dupont@example.org" is found by "marie", "dupont" and the whole address).
    /// A domain's words are left out: nearly every user shares them, so they would double the index and find everyone.
    /// The authentication email is left out too: it is the user's own, which administrators and tokens are not
    /// shown, and a search (or a cursor, which holds the matched term) would reveal it.
    public static func terms(of user: User) -> Set<String> {
        let data = user.authentication
        let names = [user.displayName, user.givenName, user.surname]
        let addresses = [user.userID, data.alternateEmail?.value ?? ""]
        var terms: Set<String> = []
        func add(_ whole: String, words: Substring) {
            guard !whole.isEmpty else { return }
            terms.insert(normalize(whole))
            for word in Self.words(of: words) { terms.insert(normalize(word)) }
        }
        for name in names { add(name, words: Substring(name)) }
        for address in addresses { add(address, words: address.split(separator: "@", maxSplits: 1).first ?? "") }
        terms.remove("")
        return terms
    }

    /// The runs of letters and digits in `text`.
    static func words(of text: Substring) -> [String] {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            return text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        }
        // ASCII, most names and addresses: bytes, not characters and their Unicode properties (a tenth of an import).
        let isLetterOrDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte | 0x20) }
        return text.utf8.split(whereSeparator: { !isLetterOrDigit($0) }).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The smallest string above every string that starts with `prefix`, for a range scan in code-point order
    /// (both stores compare terms byte by byte).
    public static func upperBound(ofPrefix prefix: String) -> String {
        prefix + "\u{10FFFF}"
    }
}

/// Where a page of users ends, so that the next page starts after it, however many users are added meanwhile:
/// the matched term (the user ID when listing without a search) and the user's id.
public struct UserCursor: Sendable, Hashable {
    public let key: String
    public let id: UUID

    public init(key: String, id: UUID) {
        self.key = key
        self.id = id
    }

    /// As a URL's query value: base64url of the key, a dot, the id.
    public var text: String {
        Data(key.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "") + "." + id.uuidString
    }

    /// `nil` for anything ``text`` did not write.
    public init?(text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let encoded = parts.first, let idText = parts.last, encoded.utf8.count <= 4_096,
              let id = UUID(uuidString: String(idText))
        else { return nil }
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        // No term or user ID holds a control character, and PostgreSQL refuses a NUL even as a query's value.
        guard let data = Data(base64Encoded: base64), let key = String(data: data, encoding: .utf8),
              !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return nil }
        self.init(key: key, id: id)
    }
}

/// Which users to list: all of them in user-ID order, or those a search finds in the order of the terms they match.
public struct UserQuery: Sendable, Hashable {
    /// Normalised with ``UserSearch/normalize(_:)``; empty lists everyone.
    public var search: String
    public var after: UserCursor?
    public var limit: Int
    /// Rows skipped after the cursor: the API's older paging, which costs what it skips.
    public var offset: Int

    public init(search: String? = nil, after: UserCursor? = nil, limit: Int, offset: Int = 0) {
        let search = UserSearch.normalize(search ?? "")
        self.search = search
        // A cursor below the search's range (none of its pages wrote it) would make a store read up to the range.
        self.after = after.flatMap { search.isEmpty || !$0.key.utf8.lexicographicallyPrecedes(search.utf8) ? $0 : nil }
        self.limit = limit
        self.offset = offset
    }
}

/// A page of users, and where the next one starts (`nil` on the last page).
public struct UserPage: Sendable, Hashable {
    public let users: [User]
    public let next: UserCursor?

    public init(users: [User], next: UserCursor?) {
        self.users = users
        self.next = next
    }

    /// A search's page from the (term, user id) pairs a store read, in their order, and the users they name: each
    /// user once, and the next page after the last pair when the page is full.
    public init(matches: [(term: String, id: String)], users found: [User], limit: Int) {
        let byID = Dictionary(found.map { ($0.id.uuidString, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        users = matches.compactMap { seen.insert($0.id).inserted ? byID[$0.id] : nil }
        next = matches.count == limit ? matches.last.flatMap { last in UUID(uuidString: last.id).map { UserCursor(key: last.term, id: $0) } } : nil
    }
}
