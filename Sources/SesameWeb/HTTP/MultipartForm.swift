import Foundation

/// A `multipart/form-data` body (RFC 7578), the few fields of an upload form: text fields and files by name.
/// Anything malformed — no boundary, an empty or over-long one, a part without headers or a name — yields no such
/// part, so the form is refused like one without its CSRF token (docs/security.md#parsers).
package struct MultipartForm: Sendable {
    package struct Part: Sendable {
        package let name: String
        package let filename: String?
        package let data: Data
    }

    /// RFC 2046 §5.1.1: a boundary has 1 to 70 characters.
    static let maximumBoundaryLength = 70
    /// Sesame's upload forms have a handful of fields; the rest of a body with thousands of parts is ignored.
    static let maximumParts = 64
    /// A part's headers are a few short lines.
    static let maximumHeaderLength = 4_096

    package let parts: [Part]

    package init(body: Data, contentType: String) {
        let header = HeaderParameters(contentType)
        guard header.value == "multipart/form-data", let boundary = header.parameters["boundary"],
            (1...Self.maximumBoundaryLength).contains(boundary.utf8.count)
        else {
            parts = []
            return
        }
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var found: [Part] = []
        var sections: [Data] = []
        var rest = body[...]
        while let range = rest.range(of: delimiter), sections.count <= Self.maximumParts {
            sections.append(Data(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        // The first section is the preamble; each other starts with CRLF, headers, a blank line, the content and CRLF.
        for section in sections.dropFirst() {
            guard let split = section.range(of: headerEnd), split.lowerBound - section.startIndex <= Self.maximumHeaderLength else { continue }
            let headers = String(decoding: section[..<split.lowerBound], as: UTF8.self)
            var content = Data(section[split.upperBound...])
            if content.suffix(2) == Data("\r\n".utf8) { content.removeLast(2) }
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") })
            else { continue }
            let parameters = HeaderParameters(disposition.dropFirst("content-disposition:".count)).parameters
            guard let name = parameters["name"] else { continue }
            found.append(Part(name: name, filename: parameters["filename"], data: content))
        }
        parts = found
    }

    /// The text fields, as a form's.
    package var fields: [(String, String)] {
        parts.filter { $0.filename == nil }.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) }
    }
}
