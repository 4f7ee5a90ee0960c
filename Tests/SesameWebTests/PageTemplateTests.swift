import Foundation
import Mustache
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The pages' own template engine against swift-mustache, which rendered them before
/// (docs/architecture.md#page-templates): the same output, to the byte, for every template of `Views` and for
/// templates made at random from the syntax the pages use, with values made at random.
@Suite struct PageTemplateTests {
    /// swift-mustache with the pages' escaping (its own compares `Character`s, docs/security.md#output-escaping).
    private struct ScalarEscaping: MustacheContentType {
        func escapeText(_ text: String) -> String { Markup.escape(text) }
    }

    /// The pragma stands on a line of its own, so that each template starts at the start of a line, as it does
    /// for the pages' engine.
    private static let pragma: String = {
        MustacheContentTypes.register(ScalarEscaping(), named: "SESAME_TEST_ESCAPING")
        return "{{% CONTENT_TYPE: SESAME_TEST_ESCAPING}}\n"
    }()

    /// Both renderings of `name`, or nil when swift-mustache refuses one of the templates.
    private func both(_ sources: [String: String], _ name: String, _ values: [String: Any]) throws -> (ours: String, theirs: String)? {
        var library = MustacheLibrary()
        for (key, text) in sources {
            guard (try? library.register(Self.pragma + text, named: key)) != nil else { return nil }
        }
        let templates = try PageTemplates(sources: sources)
        let ours = try #require(templates.render(name, values))
        return (String(decoding: ours, as: UTF8.self), try #require(library.render(values, withTemplate: name)))
    }

    @Test func everyPageRendersAsBefore() throws {
        let sources = try PageRenderer.sources()
        #expect(sources.count > 30)
        var generator = SeededDraws(seed: 21)
        for (name, text) in sources.sorted(by: { $0.key < $1.key }) {
            let names = Self.names(in: try PageTemplate(text), sources)
            for round in 0..<12 {
                var values = Self.values(names, depth: 0, using: &generator)
                values["t"] = WebCatalogue.nested(round.isMultiple(of: 2) ? .english : .french)
                let rendered = try #require(try both(sources, name, values))
                #expect(rendered.ours == rendered.theirs, "\(name), round \(round)")
            }
        }
    }

    @Test func randomTemplatesRenderAsSwiftMustacheRendersThem() throws {
        var generator = SeededDraws(seed: 2026)
        var compared = 0
        for round in 0..<3000 {
            let sources = [
                "page": Self.template(using: &generator, depth: 0),
                "part": Self.template(using: &generator, depth: 1),
                "frame": "<f>\n  {{$b}}default {{a}}{{/b}}\n{{#c}}\n    {{$b}}{{/b}}\n{{/c}}</f>",
            ]
            let values = Self.values(["a", "b", "c", "d", "a.b", "c.d"], depth: 0, using: &generator)
            guard let rendered = try both(sources, "page", values) else {
                // swift-mustache refused it: the pages' engine may refuse it too, or render it, but not trap.
                if let templates = try? PageTemplates(sources: sources) {
                    _ = templates.render("page", values)
                }
                continue
            }
            compared += 1
            #expect(rendered.ours == rendered.theirs, "round \(round): \(sources)")
        }
        #expect(compared > 2000)
    }

    @Test func templatesTheParserRefuses() {
        for text in [
            "{{#a}}", "{{/a}}", "{{#a}}{{/b}}", "{{a", "{{{a}}", "{{! no end", "{{=<% %>=}}", "{{a(b)}}", "{{>*x}}",
            "{{<p}}{{#a}}{{/a}}{{/p}}", "{{<p}}text{{/p}}", "{{.a}}", "x{{", "{{\n}}", "{{% CONTENT_TYPE: HTML}}",
            "{{}}", "{{{ }}}", "{{&}}", "{{#}}{{/}}", "{{a.}}", "{{a..b}}", "{{>}}", "{{<}}{{/}}",
        ] {
            #expect(throws: TemplateSyntaxError.self, "\(text)") { try PageTemplate(text) }
        }
    }

    @Test func aMissingPartialStopsTheLoad() throws {
        #expect(throws: PageTemplates.TemplateSetError.missing("gone", namedBy: "page")) {
            try PageTemplates(sources: ["page": "{{>gone}}"])
        }
    }

    @Test func aTemplateThatIncludesItselfStopsTheLoad() throws {
        #expect(throws: PageTemplates.TemplateSetError.includesItself(["a", "b", "a"])) {
            try PageTemplates(sources: ["a": "{{>b}}", "b": "{{<a}}{{/a}}"])
        }
    }

    @Test func theLoadNamesTheTemplateTheParserRefuses() throws {
        #expect(throws: PageTemplates.TemplateSetError.unreadable("b", TemplateSyntaxError(reason: "a tag is not closed by }}", offset: 4))) {
            try PageTemplates(sources: ["a": "fine", "b": "{{ a", "c": "{{#"])
        }
    }

    /// Within what replaces a block, the block is its default: a replacement that names its own block, directly or
    /// through a partial, neither recurses for ever nor doubles at each level.
    @Test func aBlockThatFillsItselfRendersItsDefaultWithin() throws {
        let templates = try PageTemplates(sources: [
            "page": "{{<frame}}{{$b}}x{{>part}}{{$b}}{{/b}}{{$b}}y{{/b}}{{/b}}{{/frame}}",
            "frame": "[{{$b}}{{/b}}]",
            "part": "{{$b}}z{{/b}}",
        ])
        let html = String(decoding: try #require(templates.render("page", [:])), as: UTF8.self)
        #expect(html == "[xzy]")
    }

    @Test func anOptionalHoldingNothingIsNoValueAndEndsTheSearch() throws {
        let templates = try PageTemplates(sources: ["page": "{{#a}}[{{a}}]{{/a}}{{^a}}none{{/a}} {{b}} {{#rows}}<{{name}}>{{/rows}}"])
        let none: String? = nil, some: Int? = 3
        let rows: [[String: Any]] = [["name": "row"], ["name": none as Any]]
        let html = try #require(templates.render("page", ["a": none as Any, "b": some as Any, "name": "page", "rows": rows]))
        #expect(String(decoding: html, as: UTF8.self) == "none 3 <row><>")
    }

    // MARK: - Made at random

    private static let pieces = ["x", " ", "  ", "\t", "\n", "<&\"'>", "é\u{301}", "\r\n"]

    private static func template(using generator: inout SeededDraws, depth: Int) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 1...8, using: &generator) {
            let name = ["a", "b", "c", "d", "a.b", "c.d", "."].randomElement(using: &generator) ?? "a"
            switch Int.random(in: 0..<(depth < 2 ? 12 : 8), using: &generator) {
            case 0...2: text += pieces.randomElement(using: &generator) ?? ""
            case 3: text += "{{\(name)}}"
            case 4: text += "{{{\(name)}}}"
            case 5: text += "{{& \(name) }}"
            case 6: text += "{{! note }}"
            case 7: text += depth == 0 ? "  {{>part}}\n" : "\n"
            case 8, 9:
                let tag = Bool.random(using: &generator) ? "#" : "^"
                let name = ["a", "b", "c", "d", "c.d"].randomElement(using: &generator) ?? "a"
                let inner = template(using: &generator, depth: depth + 1)
                let newline = Bool.random(using: &generator) ? "\n" : ""
                text += "\(newline)\(tag == "#" ? " " : ""){{\(tag)\(name)}}\(newline)\(inner)\(newline){{/\(name)}}\(newline)"
            default:
                text += depth == 0 ? "{{<frame}}\n {{$b}}\n  \(template(using: &generator, depth: 2))\n {{/b}}\n{{/frame}}" : "{{$b}}in{{/b}}"
            }
        }
        return text
    }

    private static func values(_ names: [String], depth: Int, using generator: inout SeededDraws) -> [String: Any] {
        var values: [String: Any] = [:]
        for name in names where Int.random(in: 0..<4, using: &generator) > 0 {
            let parts = name.split(separator: ".").map(String.init)
            guard let first = parts.first, first != "t" else { continue }
            let leaf = value(depth: depth, using: &generator)
            values[first] = parts.count == 1 ? leaf : [parts[1]: leaf, "a": "inner"] as [String: Any]
        }
        return values
    }

    private static func value(depth: Int, using generator: inout SeededDraws) -> Any {
        switch Int.random(in: 0..<(depth < 2 ? 10 : 8), using: &generator) {
        case 0: return ""
        case 1: return (0..<Int.random(in: 1...3, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
        case 2: return Bool.random(using: &generator)
        case 3: return Int.random(in: -5...500, using: &generator)
        case 4: return "<b title=\"x\">&amp;</b>"
        case 5: return [[String: Any]]()
        case 6: return ["a", "<b>", ""].shuffled(using: &generator)
        case 7: return [["a": "x\"y", "b": "1"], ["a": "<z>"]] as [[String: String]]
        case 8:
            return (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                Self.values(["a", "b", "d"], depth: depth + 1, using: &generator)
            }
        default: return Self.values(["a", "b", "c", "d"], depth: depth + 1, using: &generator)
        }
    }

    /// Every name a template reads, its partials' and parents' included.
    private static func names(in template: PageTemplate, _ sources: [String: String]) -> [String] {
        var found: Set<String> = []
        var seen: Set<String> = []
        func visit(_ template: PageTemplate) {
            template.forEachNode { node in
                switch node {
                case .value(.path(let parts), _), .section(.path(let parts), _), .invertedSection(.path(let parts), _):
                    found.insert(parts.joined(separator: "."))
                case .partial(let name, _), .parent(let name, _, _):
                    guard seen.insert(name).inserted, let text = sources[name], let included = try? PageTemplate(text) else { return }
                    visit(included)
                default: break
                }
            }
        }
        visit(template)
        return found.sorted()
    }
}
