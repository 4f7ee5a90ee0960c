import Foundation

/// The organisation's logo: in every page's header and at the bottom of every email (docs/behaviour.md#administration).
public struct Logo: Sendable, Hashable {
    public let data: Data
    /// `image/png`, `image/svg+xml` or `image/jpeg`.
    public let type: String

    public init(data: Data, type: String) {
        self.data = data
        self.type = type
    }

    /// Image types a browser shows in `<img>`; an SVG there cannot run script.
    static let types = ["png": "image/png", "svg": "image/svg+xml", "jpg": "image/jpeg"]
    public static let maximumSize = 512 * 1024

    /// Mail clients show PNG and JPEG inline; many do not show SVG.
    public var showsInEmail: Bool { type != "image/svg+xml" }

    /// The file name extension of this type.
    public var fileExtension: String { Self.types.first { $0.value == type }?.key ?? "png" }

    /// An uploaded image, its type told by its first bytes (never by the name or the browser's word): PNG, JPEG
    /// or SVG, at most ``maximumSize``.
    public static func uploaded(_ data: Data) throws(ValidationError) -> Logo {
        guard !data.isEmpty else { throw ValidationError("logo.empty", field: "logo") }
        guard data.count <= maximumSize else { throw ValidationError("logo.tooLarge", ["max": String(maximumSize / 1024)], field: "logo") }
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return Logo(data: data, type: "image/png") }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return Logo(data: data, type: "image/jpeg") }
        // An SVG is checked whole against an allow-list (docs/security.md#uploaded-svg); the text `<script` is
        // refused anywhere besides, even where it would only be text.
        let head = String(decoding: data.prefix(1_024), as: UTF8.self).lowercased()
        if head.contains("<svg"), !String(decoding: data, as: UTF8.self).lowercased().contains("<script"), SVGCheck.isSafe(data) {
            return Logo(data: data, type: "image/svg+xml")
        }
        throw ValidationError("logo.type", field: "logo")
    }

    /// `logo.png`, `logo.svg` or `logo.jpg` in `folder`, if one is there and not too large.
    public static func find(in folder: String) -> Logo? {
        for (ext, type) in types.sorted(by: { $0.key < $1.key }) {
            let path = (folder as NSString).appendingPathComponent("logo.\(ext)")
            if let data = FileManager.default.contents(atPath: path), data.count <= maximumSize { return Logo(data: data, type: type) }
        }
        return nil
    }
}
