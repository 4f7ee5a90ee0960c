/// Reads a template into nodes with Mustache's rules for whitespace: a section, comment, partial, parent or block tag
/// that stands alone on its line takes the line with it, so that the page holds no blank line for it. These are the
/// rules of swift-mustache, which rendered the pages before, to the byte (the tests compare the two on every page).
/// Characters are compared whole (`Character`), as that library does: the templates are ours, read once at start.
struct TemplateParser {
    typealias Node = PageTemplate.Node

    /// What the parse of one level knows of where it is.
    private struct Level {
        /// The name that closes this level: a section's, a block's, a parent's; nil at the top.
        var closing: String?
        /// Whether the parse stands at the start of a line.
        var atLineStart = true
        /// Inside a parent (`{{<layout}}…{{/layout}}`), where only block definitions may stand at its top level.
        var inParent = false
        var parentTopLevel = false
        /// In a parent's blocks, the first line's indentation, removed from every line of the block.
        var definitionIndent: [Character]?

        func entering(_ name: String, atLineStart: Bool) -> Level {
            var level = self
            level.closing = name
            level.parentTopLevel = false
            if !atLineStart { level.atLineStart = false }
            return level
        }

        func enteringParent(_ name: String) -> Level {
            var level = self
            level.closing = name
            level.atLineStart = true
            level.inParent = true
            level.parentTopLevel = true
            return level
        }
    }

    /// The nodes of one level, and the blocks it defines when it is a parent's top level.
    private struct Parsed {
        var nodes: [Node] = []
        var definitions: [(name: String, nodes: [Node])] = []
    }

    private let characters: [Character]
    private var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    mutating func parse() throws(TemplateSyntaxError) -> [Node] {
        try parse(Level()).nodes
    }

    private var atEnd: Bool { position >= characters.count }

    /// The character at the parse position, or NUL past the end.
    private var current: Character { atEnd ? "\0" : characters[position] }

    private func error(_ reason: String) -> TemplateSyntaxError {
        TemplateSyntaxError(reason: reason, offset: position)
    }

    private mutating func parse(_ start: Level) throws(TemplateSyntaxError) -> Parsed {
        var parsed = Parsed()
        var level = start
        // Spaces and tabs at the start of the line, kept back until it is known whether a tag stands alone.
        var pending: [Character] = []
        func emitPending() {
            if !pending.isEmpty { parsed.nodes.append(.text(Self.bytes(pending))) }
        }
        func flushPending() {
            emitPending()
            pending = []
        }
        while !atEnd {
            if level.atLineStart {
                let whitespace = read { $0 == " " || $0 == "\t" }
                if level.inParent, !level.parentTopLevel {
                    if let indent = level.definitionIndent {
                        pending = Array(whitespace.dropFirst(indent.count))
                    } else {
                        level.definitionIndent = whitespace
                    }
                } else {
                    pending = whitespace
                }
            }
            let text = try readText()
            if current.isNewline {
                parsed.nodes.append(.text(Self.bytes(pending + text + [current])))
                level.atLineStart = true
                position += 1
                continue
            }
            if !text.isEmpty {
                parsed.nodes.append(.text(Self.bytes(pending + text)))
                pending = []
                level.atLineStart = false
            }
            if atEnd { break }
            var standsAlone = false
            switch current {
            case "#", "^":
                let inverted = current == "^"
                position += 1
                let (tag, name) = try readName()
                standsAlone = takeLineIfAlone(level)
                if !standsAlone { flushPending() }
                let inner = try parse(level.entering(tag, atLineStart: standsAlone)).nodes
                parsed.nodes.append(inverted ? .invertedSection(name, inner) : .section(name, inner))
            case "/":
                position += 1
                let (tag, _) = try readName()
                guard tag == level.closing else { throw error("{{/\(tag)}} closes nothing open") }
                if !takeLineIfAlone(level) { flushPending() }
                return parsed
            case "!":
                position += 1
                try skipComment()
                standsAlone = takeLineIfAlone(level)
            case "{", "&":
                let braced = current == "{"
                flushPending()
                position += 1
                let (_, name) = try readName()
                if braced {
                    guard current == "}" else { throw error("{{{ is not closed by }}}") }
                    position += 1
                }
                parsed.nodes.append(.value(name, escaped: false))
            case ">":
                position += 1
                let name = try readPartialName()
                emitPending()
                standsAlone = takeLineIfAlone(level)
                parsed.nodes.append(.partial(name, indentation: standsAlone ? Self.bytes(pending) : nil))
                pending = []
            case "<":
                position += 1
                let name = try readPartialName()
                emitPending()
                standsAlone = takeLineIfAlone(level)
                let inner = try parse(level.enteringParent(name))
                for node in inner.nodes {
                    guard case .text(let text) = node, text.allSatisfy(Self.isWhitespace) else {
                        throw error("a parent holds only block definitions")
                    }
                }
                let blocks = Dictionary(inner.definitions.map { ($0.name, $0.nodes) }) { _, later in later }
                parsed.nodes.append(.parent(name, blocks: blocks, indentation: Self.bytes(pending)))
                pending = []
            case "$":
                position += 1
                let (tag, _) = try readName()
                if level.parentTopLevel {
                    standsAlone = takeLineIfAlone(level)
                    let inner = try parse(level.entering(tag, atLineStart: standsAlone)).nodes
                    parsed.definitions.append((tag, inner))
                } else {
                    emitPending()
                    standsAlone = takeLineIfAlone(level)
                    let inner = try parse(level.entering(tag, atLineStart: standsAlone)).nodes
                    parsed.nodes.append(.block(tag, default: inner, indentation: Self.bytes(pending)))
                    pending = []
                }
            case "=", "%":
                throw error("{{\(current) (delimiters, pragmas) is not used by the pages")
            default:
                flushPending()
                let (_, name) = try readName()
                parsed.nodes.append(.value(name, escaped: true))
            }
            level.atLineStart = standsAlone
        }
        guard level.closing == nil else { throw error("{{/\(level.closing ?? "")}} is missing") }
        return parsed
    }

    /// Text up to the next line end or `{{`, which is consumed.
    private mutating func readText() throws(TemplateSyntaxError) -> [Character] {
        var text: [Character] = []
        while !atEnd {
            let character = characters[position]
            if character == "\n" || character == "\r\n" { break }
            if character == "{", position + 1 < characters.count, characters[position + 1] == "{" {
                // A tag's name follows, never the end of the line or of the template.
                guard position + 2 < characters.count, !characters[position + 2].isNewline else {
                    throw error("{{ opens no tag")
                }
                position += 2
                break
            }
            text.append(character)
            position += 1
        }
        return text
    }

    /// A tag's name up to `}}`, as written and as a lookup.
    private mutating func readName() throws(TemplateSyntaxError) -> (String, PageTemplate.Name) {
        _ = read { $0.isWhitespace }
        let tag = String(read { Self.nameCharacters.contains($0) })
        _ = read { $0.isWhitespace }
        try expectClosing()
        guard !tag.contains("("), !tag.contains(")") else { throw error("transforms (\(tag)) are not used by the pages") }
        if tag == "." { return (tag, .current) }
        // An empty name would be the whole of the page's values, and `{{{}}}` would print them unescaped.
        let path = tag.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.contains(where: \.isEmpty) else { throw error("a name (\(tag)) is empty, or a part of it") }
        return (tag, .path(path))
    }

    private mutating func readPartialName() throws(TemplateSyntaxError) -> String {
        _ = read { $0.isWhitespace }
        guard current != "*" else { throw error("dynamic partials are not used by the pages") }
        let name = String(read { Self.partialNameCharacters.contains($0) })
        _ = read { $0.isWhitespace }
        try expectClosing()
        guard !name.isEmpty else { throw error("a partial or parent has no name") }
        return name
    }

    private mutating func expectClosing() throws(TemplateSyntaxError) {
        guard position + 1 < characters.count, characters[position] == "}", characters[position + 1] == "}" else {
            throw error("a tag is not closed by }}")
        }
        position += 2
    }

    private mutating func skipComment() throws(TemplateSyntaxError) {
        while position + 1 < characters.count {
            if characters[position] == "}", characters[position + 1] == "}" {
                position += 2
                return
            }
            position += 1
        }
        throw error("a comment is not closed by }}")
    }

    /// When a tag stands alone on its line (only spaces and tabs around it), moves past the line's end and says so.
    private mutating func takeLineIfAlone(_ level: Level) -> Bool {
        guard level.atLineStart else { return false }
        if atEnd { return true }
        var end = position
        while end < characters.count, characters[end] == " " || characters[end] == "\t" { end += 1 }
        guard end < characters.count, characters[end].isNewline else { return false }
        position = end + 1
        return true
    }

    private mutating func read(while accepts: (Character) -> Bool) -> [Character] {
        let start = position
        while !atEnd, accepts(characters[position]) { position += 1 }
        return Array(characters[start..<position])
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func bytes(_ characters: [Character]) -> [UInt8] {
        Array(String(characters).utf8)
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
    private static let partialNameCharacters = nameCharacters.union(["/"])
}
