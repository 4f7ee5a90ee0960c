import CQRencode
import SesameCore

/// A QR code drawn on the server as inline SVG, with Debian's libqrencode: no image from elsewhere, no script, and
/// presentation attributes only, so the strict Content-Security-Policy stands (docs/behaviour.md#authenticator-app).
enum QRCodeSVG {
    /// Modules of white border on each side, as the QR specification asks.
    static let quietZone = 4

    /// `text` as a QR code (error correction M, 8-bit), named `title` for assistive technology; `nil` when the text
    /// is too long for any QR code.
    static func svg(for text: String, title: String) -> String? {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        let modules = UnsafeBufferPointer(start: code.pointee.data, count: width * width)
        // One path of unit squares: the lowest bit of each byte says whether the module is dark.
        var path = ""
        for (index, module) in modules.enumerated() where module & 1 == 1 {
            path += "M\(index % width + quietZone) \(index / width + quietZone)h1v1h-1z"
        }
        let size = width + 2 * quietZone
        let name = Markup.escape(title)
        return ##"<svg class="qr" role="img" aria-label="\##(name)" viewBox="0 0 \##(size) \##(size)" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges"><title>\##(name)</title><rect width="\##(size)" height="\##(size)" fill="#fff"/><path d="\##(path)" fill="#000"/></svg>"##
    }
}
