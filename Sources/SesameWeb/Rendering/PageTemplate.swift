/// One template of `Views`, parsed once when the server starts (docs/architecture.md#page-templates). The syntax is
/// Mustache's, the part of it the pages use: values, sections, inverted sections, comments, partials, and a parent
/// (`{{<layout}}`) whose blocks (`{{$content}}`) a page fills in.
struct PageTemplate: Sendable {
    /// Where a value is looked up: `.` is the innermost value of the stack; `a.b` finds `a` in the innermost value
    /// that has it, then `b` within it (no part is empty).
    enum Name: Sendable {
        case current
        case path([String])
    }

    enum Node: Sendable {
        case text([UInt8])
        case value(Name, escaped: Bool)
        case section(Name, [Node])
        case invertedSection(Name, [Node])
        /// `indentation` is set when the tag stands alone on its line: every line of the partial is indented by it.
        case partial(String, indentation: [UInt8]?)
        case parent(String, blocks: [String: [Node]], indentation: [UInt8])
        case block(String, default: [Node], indentation: [UInt8])
    }

    let nodes: [Node]

    init(_ text: String) throws(TemplateSyntaxError) {
        var parser = TemplateParser(text)
        nodes = try parser.parse()
    }

    /// Calls `body` with every node, those within sections, blocks and a parent's blocks included.
    func forEachNode(_ body: (Node) -> Void) {
        func visit(_ nodes: [Node]) {
            for node in nodes {
                body(node)
                switch node {
                case .text, .value, .partial: break
                case .section(_, let inner), .invertedSection(_, let inner), .block(_, let inner, _): visit(inner)
                case .parent(_, let blocks, _): blocks.values.forEach(visit)
                }
            }
        }
        visit(nodes)
    }

    /// The partials and parents this template names, in order and once each, for the library to check.
    var references: [String] {
        var names: Set<String> = []
        forEachNode { node in
            switch node {
            case .partial(let name, _), .parent(let name, _, _): names.insert(name)
            default: break
            }
        }
        return names.sorted()
    }
}

/// A template the parser refused, with where (in characters from its start).
struct TemplateSyntaxError: Error, Equatable, CustomStringConvertible {
    let reason: String
    let offset: Int

    var description: String { "\(reason) at character \(offset)" }
}
