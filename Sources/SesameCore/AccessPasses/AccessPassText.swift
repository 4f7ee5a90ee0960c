/// How a pass is written: characters that cannot be mistaken for one another when read aloud by a helpdesk or copied
/// from a note (no 0/o, 1/l/i), shown in groups of four, typed in any case, with or without the spaces or hyphens.
public enum AccessPassText {
    static let alphabet = Array("23456789abcdefghjkmnpqrstuvwxyz")

    /// `length` characters drawn uniformly from the alphabet.
    static func generate(length: Int, random: any RandomSource) -> String {
        String((0..<length).map { _ in alphabet[Int(random.uniform(below: UInt32(alphabet.count)))] })  // trap-safe: uniform is below the count
    }

    /// The pass in groups of four, as shown once to the administrator.
    public static func grouped(_ pass: String) -> String {
        var groups: [Substring] = []
        var rest = Substring(pass)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: "-")
    }

    /// What the user typed as a pass, or `nil` when it cannot be one: checked before any hashing, so that a long or
    /// strange input costs nothing.
    public static func normalised(_ typed: String) -> String? {
        guard typed.utf8.count <= 4 * AccessPassTerms.lengths.upperBound else { return nil }
        let characters = typed.lowercased().filter { $0 != " " && $0 != "-" }
        guard AccessPassTerms.lengths.contains(characters.count), characters.allSatisfy(alphabet.contains) else { return nil }
        return characters
    }
}
