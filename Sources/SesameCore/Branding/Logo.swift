import Foundation

/// The organisation's logo: in every page's header and at the bottom of every email (spec §2.6).
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

    /// `logo.png`, `logo.svg` or `logo.jpg` in `folder`, if one is there and not too large.
    public static func find(in folder: String) -> Logo? {
        for (ext, type) in types.sorted(by: { $0.key < $1.key }) {
            let path = (folder as NSString).appendingPathComponent("logo.\(ext)")
            if let data = FileManager.default.contents(atPath: path), data.count <= maximumSize { return Logo(data: data, type: type) }
        }
        return nil
    }
}
