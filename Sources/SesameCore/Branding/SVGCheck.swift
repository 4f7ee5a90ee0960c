import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Whether an uploaded SVG only draws. Opened by itself (`/branding/logo`), an SVG is a document that can run
/// script, follow links and fetch other resources, so it is parsed as XML (libxml2, through Foundation's
/// `XMLParser`) and accepted only when every element and attribute is on an allow-list of drawing features
/// (docs/security.md#uploaded-svg): no script or event handler in any namespace, no `foreignObject`, links,
/// animation or images, references only to fragments of the same file, no DTD, entity or processing instruction,
/// UTF-8 only (so that the parser and the browser read the same characters).
enum SVGCheck {
    static let svgNamespace = "http://www.w3.org/2000/svg"

    static let elements: Set<String> = [
        "svg", "g", "defs", "title", "desc", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline",
        "polygon", "text", "tspan", "textPath", "clipPath", "mask", "marker", "pattern", "linearGradient",
        "radialGradient", "stop", "style", "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
        "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feMerge",
        "feMergeNode", "feMorphology", "feOffset",
    ]

    static let attributes: Set<String> = [
        "id", "class", "style", "transform", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx",
        "fy", "fr", "width", "height", "viewBox", "preserveAspectRatio", "points", "pathLength", "version",
        "baseProfile", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity",
        "color", "display", "visibility", "overflow", "clip-path", "clip-rule", "clipPathUnits", "mask", "maskUnits",
        "maskContentUnits", "gradientUnits", "gradientTransform", "spreadMethod", "offset", "stop-color",
        "stop-opacity", "patternUnits", "patternContentUnits", "patternTransform", "filter", "filterUnits",
        "primitiveUnits", "in", "in2", "result", "stdDeviation", "dx", "dy", "mode", "operator", "k1", "k2", "k3", "k4",
        "values", "type", "tableValues", "slope", "intercept", "amplitude", "exponent", "flood-color",
        "flood-opacity", "radius", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
        "dominant-baseline", "alignment-baseline", "letter-spacing", "word-spacing", "text-decoration",
        "lengthAdjust", "textLength", "rotate", "startOffset", "markerWidth", "markerHeight", "markerUnits", "refX",
        "refY", "orient", "vector-effect", "shape-rendering", "paint-order", "mix-blend-mode", "isolation", "role",
        "aria-label", "aria-hidden", "focusable", "space", "lang", "href", "data-name",
    ]

    static func isSafe(_ data: Data) -> Bool {
        // UTF-8 only, and never a declared other encoding: libxml2 would follow the declaration.
        guard let text = String(validating: data, as: UTF8.self) else { return false }
        // XML 1.0 allows no control character but tab and the line ends; libxml2 crashed on a NUL before an element
        // (found by fuzzing, docs/security.md#fuzzing), so such bytes never reach it.
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value) }) else { return false }
        if let declaration = text.firstMatch(of: /^\u{FEFF}?<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']/) {
            guard declaration.output.1.lowercased() == "utf-8" else { return false }
        }
        // No DTD at all, so no entity is ever declared or expanded.
        guard !text.lowercased().contains("<!doctype"), !text.lowercased().contains("<!entity") else { return false }
        let parser = XMLParser(data: data)
        let delegate = Delegate()
        parser.delegate = delegate
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        // Every element closed, checked here too: a parse that stops early is not always reported as failed.
        return parser.parse() && parser.parserError == nil && delegate.safe && delegate.sawRoot && delegate.depth == 0
    }

    /// CSS's white space, the only one a `url(` skips: with another space first ("url(\u{3000}#g)"), the URL is a path.
    private static let cssWhiteSpace: Set<Character> = [" ", "\t", "\n", "\r", "\r\n", "\u{0C}"]

    /// A `url(…)` in a value must point into the same file (`url(#id)`).
    static func referencesOnlyFragments(_ value: String) -> Bool {
        let compact = value.lowercased().filter { !cssWhiteSpace.contains($0) && $0 != "'" && $0 != "\"" }
        if compact.contains("@import") || compact.contains("javascript:") || compact.contains("expression(") { return false }
        var rest = Substring(compact)
        while let range = rest.range(of: "url(") {
            rest = rest[range.upperBound...]
            guard rest.first == "#" else { return false }
        }
        return true
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var safe = true
        var sawRoot = false
        var inStyle = false
        var depth = 0

        private func refuse(_ parser: XMLParser) {
            safe = false
            parser.abortParsing()
        }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            guard namespaceURI == SVGCheck.svgNamespace, SVGCheck.elements.contains(local), sawRoot || local == "svg" else {
                return refuse(parser)
            }
            sawRoot = true
            depth += 1
            for (name, value) in attributes {
                let parts = name.split(separator: ":")
                let prefix = parts.count > 1 ? parts.first.map(String.init) : nil
                let attribute = parts.last.map(String.init) ?? name
                if name == "xmlns" || prefix == "xmlns" { continue }
                guard SVGCheck.attributes.contains(attribute), SVGCheck.referencesOnlyFragments(value) else { return refuse(parser) }
                // A reference, whatever the prefix it is bound to, points into this file only.
                // Browsers strip only controls and spaces from around it: "\u{3000}#p" is a path, not a fragment.
                if attribute == "href", value.unicodeScalars.first(where: { $0.value > 0x20 }) != "#" { return refuse(parser) }
            }
            inStyle = local == "style"
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            inStyle = false
            depth -= 1
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { refuse(parser) }
        func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) { refuse(parser) }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inStyle, !SVGCheck.referencesOnlyFragments(string) { refuse(parser) }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if inStyle, !SVGCheck.referencesOnlyFragments(String(decoding: CDATABlock, as: UTF8.self)) { refuse(parser) }
        }

        func parser(_ parser: XMLParser, foundProcessingInstructionWithTarget target: String, data: String?) { refuse(parser) }
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) { refuse(parser) }
        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
            refuse(parser)
        }
        func parser(_ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?, systemID: String?, notationName: String?) {
            refuse(parser)
        }
        func parser(_ parser: XMLParser, foundNotationDeclarationWithName name: String, publicID: String?, systemID: String?) { refuse(parser) }
        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            refuse(parser)
            return nil
        }
    }
}
