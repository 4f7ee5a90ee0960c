import Foundation
import Testing

@testable import SesameCore

/// An SVG logo is a document that can run script and fetch other resources when opened by itself: only an
/// allow-list of drawing elements and attributes is accepted (docs/security.md#uploaded-svg).
@Suite struct LogoTests {
    static let open = ##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">"##

    private func accepts(_ svg: String) -> Bool {
        (try? Logo.uploaded(Data(svg.utf8)))?.type == "image/svg+xml"
    }

    @Test func aPlainDrawingIsAccepted() {
        let svg = Self.open + ##"<title>Contoso</title><defs><linearGradient id="g"><stop offset="0" stop-color="#0b5cad"/></linearGradient>"##
            + ##"<path id="p" d="M0 0h10v10z"/></defs><g transform="scale(1)"><rect width="10" height="10" fill="url(#g)" style="stroke: #000"/>"##
            + ##"<use xlink:href="#p"/><use href="#p"/><text x="1" y="9" font-size="3">C</text></g></svg>"##
        #expect(accepts(svg))
        #expect(accepts(##"<?xml version="1.0" encoding="UTF-8"?>"## + "\n" + Self.open + "<!-- drawn by hand --><circle r=\"4\"/></svg>"))
    }

    @Test(arguments: [
        // A script in another prefix, bound to the SVG namespace.
        ##"<s:script xmlns:s="http://www.w3.org/2000/svg">alert(1)</s:script>"##,
        ##"<circle r="4" onload="alert(1)"/>"##,
        ##"<g onclick="alert(1)"><rect width="1" height="1"/></g>"##,
        ##"<a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a>"##,
        ##"<a href="javascript:alert(1)"><rect width="1" height="1"/></a>"##,
        ##"<use xlink:href="javascript:alert(1)"/>"##,
        ##"<use href="https://evil.example/sprite.svg#a"/>"##,
        ##"<use xmlns:x="http://www.w3.org/1999/xlink" x:href="https://evil.example/sprite.svg#a"/>"##,
        // Browsers strip only controls and spaces from around a URL: with another space first, this is a path.
        "<use href=\"\u{3000}#p\"/>", "<use href=\"\u{200B}#p\"/>",
        "<rect width=\"1\" height=\"1\" fill=\"url(\u{3000}#g)\"/>",
        ##"<image href="https://evil.example/track.png" width="1" height="1"/>"##,
        ##"<rect width="1" height="1" fill="url(https://evil.example/p.svg#g)"/>"##,
        ##"<rect width="1" height="1" style="fill: url('https://evil.example/p.svg#g')"/>"##,
        ##"<style>@import url(https://evil.example/x.css);</style>"##,
        ##"<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>"##,
        ##"<set attributeName="href" to="javascript:alert(1)"/>"##,
        ##"<animate attributeName="href" values="javascript:alert(1)"/>"##,
        ##"<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>"##,
        ##"<iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/>"##,
    ])
    func aBypassIsRefused(_ inner: String) {
        #expect(!accepts(Self.open + inner + "</svg>"))
    }

    /// libFuzzer's crash of libxml2 (`Fuzz/Corpus/logo`): its NULs are refused before parsing, and the same bytes
    /// without them are no logo.
    @Test(arguments: [Data([0, 0, 0]) + Data("<p:.<svg xmln".utf8), Data("<p:.<svg xmln".utf8), Data("<svg xmlns=\"http://www.w3.org/2000/svg\">\u{1}</svg>".utf8)])
    func theFuzzersCrashAndControlCharactersAreRefused(_ data: Data) {
        #expect(throws: ValidationError.self) { try Logo.uploaded(data) }
    }

    @Test func aDocumentTypeEntityOrStylesheetIsRefused() {
        let entity = ##"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>"## + Self.open + "<title>&x;</title></svg>"
        #expect(!accepts(entity))
        #expect(!accepts(##"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">"## + Self.open + "</svg>"))
        #expect(!accepts(##"<?xml-stylesheet href="https://evil.example/x.css"?>"## + Self.open + "</svg>"))
    }

    @Test func anotherEncodingOrBrokenXMLIsRefused() {
        #expect(!accepts(##"<?xml version="1.0" encoding="UTF-7"?>"## + Self.open + "</svg>"))
        #expect(!accepts(Self.open + "<rect></svg>"))
        #expect((try? Logo.uploaded(Data([0xFF, 0xFE]) + Data((Self.open + "</svg>").utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))) == nil)
        #expect(!accepts(##"<svg xmlns="http://www.w3.org/1999/xhtml"></svg>"##), "the root must be SVG's")
    }
}
