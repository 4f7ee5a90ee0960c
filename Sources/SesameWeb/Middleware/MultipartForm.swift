import Foundation

/// A `multipart/form-data` body (RFC 7578), the few fields of an upload form: text fields and files by name.
/// Anything malformed yields no fields, so the form is refused like one without its CSRF token.
struct MultipartForm {
    struct Part {
        let name: String
        let filename: String?
        let data: Data
    }

    let parts: [Part]

    init(body: Data, contentType: String) {
        guard let boundaryRange = contentType.range(of: "boundary=") else {
            parts = []
            return
        }
        let boundary = contentType[boundaryRange.upperBound...].split(separator: ";")[0].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Data("--\(boundary)".utf8)
        var found: [Part] = []
        var sections: [Data] = []
        var rest = body[...]
        while let range = rest.range(of: delimiter) {
            sections.append(Data(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        // The first section is the preamble; each other starts with CRLF, headers, a blank line, the content and CRLF.
        for section in sections.dropFirst() {
            guard let split = section.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let headers = String(decoding: section[..<split.lowerBound], as: UTF8.self)
            var content = Data(section[split.upperBound...])
            if content.suffix(2) == Data("\r\n".utf8) { content.removeLast(2) }
            guard let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                  let name = Self.parameter("name", in: disposition)
            else { continue }
            found.append(Part(name: name, filename: Self.parameter("filename", in: disposition), data: content))
        }
        parts = found
    }

    /// The text fields, as a form's.
    var fields: [(String, String)] {
        parts.filter { $0.filename == nil }.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) }
    }

    private static func parameter(_ name: String, in header: Substring) -> String? {
        for item in header.split(separator: ";") {
            let pair = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }
}
