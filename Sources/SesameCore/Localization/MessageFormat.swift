import Foundation

/// The subset of ICU MessageFormat the catalogues use (docs/localization.md#message-format): `{name}` for an
/// argument, and `{name, plural, one {# minute} other {# minutes}}` for a counted word, where `#` is the number and
/// a selector is a CLDR category or an exact `=N`. Braces are never literal text, and there is no apostrophe quoting.
///
/// Catalogues ship with the server, but the parser still never traps: an unbalanced template renders as written.
public struct MessageFormat: Sendable, Hashable {
    indirect enum Node: Sendable, Hashable {
        case text(String)
        case argument(String)
        case number
        case plural(String, [Selector: [Node]])
    }

    enum Selector: Sendable, Hashable {
        case category(PluralCategory)
        case exact(Int)
    }

    let nodes: [Node]

    /// Parses a template; nil when it is malformed (the catalogue test names the key).
    public init?(_ template: String) {
        var parser = Parser(characters: Array(template))
        guard let nodes = parser.nodes(inPlural: false), parser.index == parser.characters.count else { return nil }
        self.nodes = nodes
    }

    /// The text with each argument put in. An argument that is missing leaves its placeholder as written; a plural
    /// whose argument is not a whole number takes its `other` form. In a right-to-left language each argument is
    /// isolated, so that a phone number, a code or an address keeps its own order inside the sentence
    /// (docs/localization.md#right-to-left).
    ///
    /// Direction controls inside an argument are dropped in every language: a passkey's name or an imported user ID
    /// holding U+202E would otherwise turn the rest of the sentence around.
    public func format(_ arguments: [String: String], in language: Language) -> String {
        let plain = arguments.mapValues(Self.withoutDirectionControls)
        let isolated = language.isRightToLeft ? plain.mapValues(Self.isolated) : plain
        return Self.render(nodes, isolated, language, count: nil)
    }

    /// Left to right (LRI … PDI) unless the value has Arabic or Hebrew letters (then FSI … PDI, its first letter
    /// decides): "+33 6•• •• •• 78" has no letter at all, and a first-strong isolate would lay it out right to left.
    /// Left as they are: a link, alone on its line (a mail client's link finder would take the marks for part of it),
    /// and a number or code, which reads left to right anyway and which phones look for, digits alone, to offer it.
    static func isolated(_ value: String) -> String {
        if value.hasPrefix("https://") || value.hasPrefix("http://") || value.allSatisfy({ $0.isASCII && $0.isNumber }) { return value }
        let rightToLeft = value.unicodeScalars.contains { (0x0590...0x08FF).contains($0.value) || (0xFB1D...0xFEFC).contains($0.value) }
        return (rightToLeft ? "\u{2068}" : "\u{2066}") + value + "\u{2069}"
    }

    /// LRM, RLM, ALM, the embeddings and overrides (U+202A–202E) and the isolates (U+2066–2069).
    public static func withoutDirectionControls(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: isDirectionControl) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.filter { !isDirectionControl($0) }))
    }

    private static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        [0x200E, 0x200F, 0x061C].contains(scalar.value) || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// The argument names the template uses, plurals included.
    public var argumentNames: Set<String> { Self.names(in: nodes) }

    /// Each plural's argument name and the CLDR categories it gives (exact `=N` branches aside).
    public var plurals: [(argument: String, categories: Set<PluralCategory>)] { Self.plurals(in: nodes) }

    private static func render(_ nodes: [Node], _ arguments: [String: String], _ language: Language, count: String?) -> String {
        var result = ""
        for node in nodes {
            switch node {
            case .text(let text):
                result += text
            case .argument(let name):
                result += arguments[name] ?? "{\(name)}"
            case .number:
                result += count ?? "#"
            case .plural(let name, let branches):
                let value = arguments[name]
                let number = value.flatMap { Int($0.trimmingCharacters(in: Self.isolates)) }
                let branch = number.flatMap { branches[.exact($0)] }
                    ?? number.flatMap { branches[.category(language.pluralCategory($0))] }
                    ?? branches[.category(.other)]
                    ?? []
                result += render(branch, arguments, language, count: value ?? "{\(name)}")
            }
        }
        return result
    }

    private static let isolates = CharacterSet(charactersIn: "\u{2066}\u{2068}\u{2069}")

    private static func names(in nodes: [Node]) -> Set<String> {
        nodes.reduce(into: []) { names, node in
            switch node {
            case .argument(let name): names.insert(name)
            case .plural(let name, let branches):
                names.insert(name)
                for branch in branches.values { names.formUnion(Self.names(in: branch)) }
            case .text, .number: break
            }
        }
    }

    private static func plurals(in nodes: [Node]) -> [(argument: String, categories: Set<PluralCategory>)] {
        nodes.flatMap { node -> [(argument: String, categories: Set<PluralCategory>)] in
            guard case .plural(let name, let branches) = node else { return [] }
            let categories = Set(branches.keys.compactMap { if case .category(let category) = $0 { category } else { nil } })
            return [(name, categories)] + branches.values.flatMap { Self.plurals(in: $0) }
        }
    }
}

/// A recursive-descent reader over the template's characters; every read is bounds-checked.
private struct Parser {
    let characters: [Character]
    var index = 0

    private var current: Character? { characters.indices.contains(index) ? characters[index] : nil }

    /// Text and placeholders up to the end, or up to the `}` that closes a plural branch (left unread).
    mutating func nodes(inPlural: Bool) -> [MessageFormat.Node]? {
        var nodes: [MessageFormat.Node] = []
        var text = ""
        while let character = current {
            switch character {
            case "}":
                guard inPlural else { return nil }
                if !text.isEmpty { nodes.append(.text(text)) }
                return nodes
            case "{":
                if !text.isEmpty { nodes.append(.text(text)) }
                text = ""
                index += 1
                guard let node = placeholder() else { return nil }
                nodes.append(node)
            case "#" where inPlural:
                if !text.isEmpty { nodes.append(.text(text)) }
                text = ""
                nodes.append(.number)
                index += 1
            default:
                text.append(character)
                index += 1
            }
        }
        guard !inPlural else { return nil }
        if !text.isEmpty { nodes.append(.text(text)) }
        return nodes
    }

    /// After `{`: `name}` or `name, plural, selector {…} … }`.
    private mutating func placeholder() -> MessageFormat.Node? {
        let name = word()
        guard !name.isEmpty else { return nil }
        skipSpaces()
        if current == "}" {
            index += 1
            return .argument(name)
        }
        guard current == "," else { return nil }
        index += 1
        skipSpaces()
        guard word() == "plural" else { return nil }
        skipSpaces()
        guard current == "," else { return nil }
        index += 1
        var branches: [MessageFormat.Selector: [MessageFormat.Node]] = [:]
        while true {
            skipSpaces()
            if current == "}" {
                index += 1
                break
            }
            guard let selector = selector(word()), branches[selector] == nil else { return nil }
            skipSpaces()
            guard current == "{" else { return nil }
            index += 1
            guard let branch = nodes(inPlural: true), current == "}" else { return nil }
            index += 1
            branches[selector] = branch
        }
        guard branches[.category(.other)] != nil else { return nil }
        return .plural(name, branches)
    }

    private func selector(_ word: String) -> MessageFormat.Selector? {
        if word.hasPrefix("=") { return Int(word.dropFirst()).map { .exact($0) } }
        return PluralCategory(rawValue: word).map { .category($0) }
    }

    private mutating func word() -> String {
        var word = ""
        while let character = current, character.isLetter || character.isNumber || character == "_" || character == "=" {
            word.append(character)
            index += 1
        }
        return word
    }

    private mutating func skipSpaces() {
        while let character = current, character.isWhitespace { index += 1 }
    }
}
