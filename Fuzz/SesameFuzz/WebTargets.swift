import Foundation
import Hummingbird
import HummingbirdCore
import SesameCore
import SesameWeb

/// The request parts anyone can send: headers, query strings and form bodies.
let webTargets: [FuzzTarget] = [
    FuzzTarget(name: "accept-language") { bytes in
        _ = AcceptLanguage.preferred(String(decoding: bytes, as: UTF8.self))
    },
    FuzzTarget(name: "cookie") { bytes in
        // Hummingbird splits the header; Sesame reads its session and language cookies from it.
        let cookies = Cookies(from: String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init))
        _ = cookies["sesame_session"]?.value
        _ = cookies["sesame_lang"].flatMap { Language(rawValue: $0.value) }
    },
    FuzzTarget(name: "content-type") { bytes in
        let header = HeaderParameters(String(decoding: bytes, as: UTF8.self))
        require(header.parameters.count <= 16, "at most 16 parameters are kept")
        require(header.value == header.value.lowercased(), "the media type is in lower case")
    },
    FuzzTarget(name: "multipart") { bytes in
        // The first line is the Content-Type header, the rest the body.
        let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let form = MultipartForm(body: Data(bytes[newline...].dropFirst()), contentType: contentType)
        require(form.parts.count <= 64, "at most 64 parts are read")
        _ = FormData(multipart: form)
    },
    FuzzTarget(name: "urlencoded") { bytes in
        let form = FormData(urlEncoded: String(decoding: bytes, as: UTF8.self))
        _ = form["_csrf"]
        _ = form.text("userID")
    },
    FuzzTarget(name: "query") { bytes in
        let uri = URI("/reset?" + String(decoding: bytes, as: UTF8.self))
        _ = uri.queryParameters["lang"]
        let query = FormData(urlEncoded: uri.query ?? "")
        _ = query["userID"]
        _ = Int(query["page"] ?? "")
    },
    FuzzTarget(name: "forwarded-for") { bytes in
        let forwarded = String(decoding: bytes, as: UTF8.self)
        let address = WebContext.clientAddress(peer: "127.0.0.1", forwardedFor: forwarded, trustedProxies: [])
        // Believed, it is the proxy's entry (the last) as the limits count it: an IPv6 client by its /64.
        let entry = forwarded.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        require(address == "127.0.0.1" || (IPAddress.isValid(entry) && address == IPAddress.network(entry)),
                "a forwarded address is believed only when it is one")
    },
    FuzzTarget(name: "authorization") { bytes in
        if let token = BearerToken.parse(String(decoding: bytes, as: UTF8.self)) {
            require(!token.isEmpty && token.utf8.count <= 256 && !token.contains(" "), "a bearer token is one short word")
        }
    },
    FuzzTarget(name: "json-body") { bytes in
        // The API's bodies: a user's creation or change, and a change of policy.
        if let body = try? APIJSON.decoder.decode(UserBody.self, from: Data(bytes)), let draft = try? body.draft(userID: "fuzz@contoso.com") {
            var user = User(userID: "fuzz@contoso.com", createdAt: fuzzDate)
            try? draft.apply(to: &user, policy: Policy())
        }
        if let values = try? APIJSON.decoder.decode([String: String].self, from: Data(bytes)) {
            let known = Dictionary(values.compactMap { key, value in PolicyKey(rawValue: key).map { ($0, value) } }) { _, last in last }
            _ = try? Policy().updating(known)
        }
    },
]
