import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

@Suite struct BrandingTests {
    @Test func theOrganisationsNameAndLogoAreOnEveryPage() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-logo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let svg = Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"32\" height=\"32\"><rect width=\"32\" height=\"32\" fill=\"#0b5cad\"/></svg>".utf8)
        try svg.write(to: folder.appendingPathComponent("logo.svg"))
        let logo = try #require(Logo.find(in: folder.path))
        #expect(logo.type == "image/svg+xml")
        let store = try SQLiteStore(path: folder.appendingPathComponent("sesame.sqlite").path)
        try await PolicyService(store: store, clock: SystemClock()).set(.organisationName, to: "Contoso", actor: "test")
        try await store.saveLogo(logo)
        let application = Application(router: try await buildRouter(dependencies: try await Harness.dependencies(store: store)), logger: Logger(label: "test"))
        try await application.test(.router) { client in
            for path in ["/signin", "/reset", "/nothing-here"] {
                let page = try await client.execute(uri: path, method: .get)
                let body = String(buffer: page.body)
                #expect(body.contains("<img src=\"/branding/logo\"") && body.contains("<span class=\"name\">Contoso</span>"), "\(path)")
            }
            let image = try await client.execute(uri: "/branding/logo", method: .get)
            #expect(image.headers[.contentType] == "image/svg+xml" && String(buffer: image.body).hasPrefix("<svg"))
        }
        #expect(Logo.find(in: FileManager.default.temporaryDirectory.appendingPathComponent("none").path) == nil)
    }
}
