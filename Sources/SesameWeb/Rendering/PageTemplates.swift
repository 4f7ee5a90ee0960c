import SesameCore

/// The templates of `Views` by name, and how a page is rendered from them (docs/architecture.md#page-templates): the
/// output is built as UTF-8 bytes, every value is escaped as HTML (`Markup`) unless its tag is `{{{…}}}` or `{{&…}}`, and
/// a value is read from the page's dictionaries without the library's search through protocols for each name, which
/// was most of a page's rendering (README.md#over-http-beside-privacyidea).
struct PageTemplates: Sendable {
    private typealias Node = PageTemplate.Node

    private let templates: [String: PageTemplate]

    /// Refuses a set in which a template names a partial or a parent that is not there (the pages would lose it),
    /// or includes itself, through others or not (every page using it would recurse until the stack ran out). The
    /// names are taken in order, so that the same set is refused for the same reason on every start.
    private init(_ templates: [String: PageTemplate]) throws(TemplateSetError) {
        let references = templates.mapValues(\.references)
        let names = templates.keys.sorted()
        for name in names {
            if let missing = references[name]?.first(where: { templates[$0] == nil }) {
                throw .missing(missing, namedBy: name)
            }
        }
        var finished: Set<String> = []
        func visit(_ name: String, _ path: [String]) throws(TemplateSetError) {
            guard !path.contains(name) else { throw .includesItself(path + [name]) }
            guard !finished.contains(name) else { return }
            for reference in references[name] ?? [] { try visit(reference, path + [name]) }
            finished.insert(name)
        }
        for name in names { try visit(name, []) }
        self.templates = templates
    }

    /// Parses every source, in the order of their names, and names the template a syntax error is in.
    init(sources: [String: String]) throws(TemplateSetError) {
        var templates: [String: PageTemplate] = [:]
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
            do {
                templates[name] = try PageTemplate(text)
            } catch {
                throw .unreadable(name, error)
            }
        }
        try self.init(templates)
    }

    enum TemplateSetError: Error, Equatable {
        case unreadable(String, TemplateSyntaxError)
        case missing(String, namedBy: String)
        case includesItself([String])
    }

    /// The template `name` rendered with `values`, as UTF-8; nil when there is no such template.
    func render(_ name: String, _ values: [String: Any]) -> [UInt8]? {
        guard let template = templates[name] else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(8192)
        render(template.nodes, Scope(stack: [values]), into: &output)
        return output
    }

    /// What a part of a template is rendered with: the values (innermost last), the indentation of the partials it
    /// stands in, and the blocks its parents are given.
    private struct Scope {
        var stack: [Any]
        var indentation: [UInt8] = []
        var blocks: [String: [Node]] = [:]

        func pushing(_ value: Any) -> Scope {
            var scope = self
            scope.stack.append(value)
            return scope
        }

        /// The scope of an included template or block, indented by `more`.
        func indented(by more: [UInt8]) -> Scope {
            var scope = self
            scope.indentation += more
            return scope
        }
    }

    private func render(_ nodes: [Node], _ scope: Scope, into output: inout [UInt8]) {
        let start = output.count
        for node in nodes {
            let before = output.count
            render(node, scope, into: &output)
            // An indented partial indents each line it renders, once something is written on it.
            if !scope.indentation.isEmpty, output.count > before, Self.endsLine(output, from: start, at: before) {
                output.insert(contentsOf: scope.indentation, at: before)
            }
        }
    }

    /// Whether what `render` wrote from `start` up to `end` ends with a line feed that is not part of a CRLF.
    private static func endsLine(_ output: [UInt8], from start: Int, at end: Int) -> Bool {
        guard end > start, output[end - 1] == UInt8(ascii: "\n") else { return false }
        return end - 1 == start || output[end - 2] != UInt8(ascii: "\r")
    }

    private func render(_ node: Node, _ scope: Scope, into output: inout [UInt8]) {
        switch node {
        case .text(let bytes):
            output.append(contentsOf: bytes)
        case .value(let name, let escaped):
            guard let value = Self.lookUp(name, in: scope.stack) else { return }
            let text = value as? String ?? String(describing: Self.unwrapped(value) ?? "")
            if escaped {
                Markup.appendEscaped(text, to: &output)
            } else {
                output.append(contentsOf: text.utf8)
            }
        case .section(let name, let inner):
            switch Self.lookUp(name, in: scope.stack) {
            case nil: break
            case let flag as Bool: if flag { render(inner, scope, into: &output) }
            case let value?:
                if let list = Self.list(value) {
                    for element in list { render(inner, scope.pushing(element), into: &output) }
                } else {
                    render(inner, scope.pushing(value), into: &output)
                }
            }
        case .invertedSection(let name, let inner):
            switch Self.lookUp(name, in: scope.stack) {
            case nil: render(inner, scope, into: &output)
            case let flag as Bool: if !flag { render(inner, scope, into: &output) }
            case let value?:
                if let list = Self.list(value), list.isEmpty { render(inner, scope.pushing(value), into: &output) }
            }
        case .partial(let name, let indentation):
            guard let template = templates[name] else { return }
            render(template.nodes, scope.indented(by: indentation ?? []), into: &output)
        case .parent(let name, let blocks, let indentation):
            guard let template = templates[name] else { return }
            var inner = scope.indented(by: indentation)
            // A block given further out wins over this parent's own.
            inner.blocks.merge(blocks) { outer, _ in outer }
            render(template.nodes, inner, into: &output)
        case .block(let name, let defaults, let indentation):
            var inner = scope.indented(by: indentation)
            // Within what replaces a block, that block is its default again: a replacement that named its own block
            // would otherwise fill itself for ever (swift-mustache recursed until the stack ran out).
            let replacement = inner.blocks.removeValue(forKey: name)
            render(replacement ?? defaults, inner, into: &output)
        }
    }

    /// The value `name` reads: its first part from the innermost value that has it, the rest from within that one.
    private static func lookUp(_ name: PageTemplate.Name, in stack: [Any]) -> Any? {
        switch name {
        case .current:
            return stack.last
        case .path(let parts):
            guard let first = parts.first else { return nil }
            for object in stack.reversed() {
                // An entry holding nothing ends the search, as it did in swift-mustache: a row's missing name is not
                // the page's.
                guard case .some(let found) = entry(first, of: object) else { continue }
                guard var value = found else { return nil }
                for part in parts.dropFirst() {
                    guard case .some(let next?) = entry(part, of: value) else { return nil }
                    value = next
                }
                return value
            }
            return nil
        }
    }

    /// A dictionary's entry, or a structure's property, by its name: nil when there is none, `.some(nil)` when a
    /// dictionary's entry is an optional holding nothing.
    private static func entry(_ name: String, of object: Any) -> Any?? {
        if let dictionary = object as? [String: Any] {
            return dictionary[name].map(present)
        }
        // The values the pages push most have no entries; a mirror would find none, at a cost.
        if object is String || object is Bool { return nil }
        guard let child = Mirror(reflecting: object).children.first(where: { $0.label == name }) else { return nil }
        return present(child.value).map { .some($0) }
    }

    /// `value`, or nil when it is an optional holding nothing. The kinds of value the pages pass most are told
    /// apart first, each a cast to one type that also sees through an optional holding one (as every later cast
    /// does); the mirror only for the rest.
    private static func present(_ value: Any) -> Any? {
        if value is String || value is [String: Any] || value is Bool || value is [[String: Any]] { return value }
        return unwrapped(value)
    }

    /// What an optional holds, through any depth of optionals; any other value as it is.
    private static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.flatMap { unwrapped($0.value) }
    }

    /// The elements of an array of any kind, which a section repeats for, each as it is (a cast to an array of
    /// another type would rebuild each one); nil for any other value.
    private static func list(_ value: Any) -> [Any]? {
        value as? [Any]
    }
}
