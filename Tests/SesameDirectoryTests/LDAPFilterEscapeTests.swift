import Testing

@testable import SesameDirectory

/// RFC 4515 escaping of a typed user ID in a search filter.
@Suite struct LDAPFilterEscapeTests {
    @Test(arguments: [
        ("alice", "alice"), ("*", "\\2a"), ("a)(uid=*", "a\\29\\28uid=\\2a"), ("back\\slash", "back\\5cslash"), ("nul\u{0}", "nul\\00"),
        ("zoë@contoso.com", "zoë@contoso.com"), ("山田", "山田"),
    ])
    func specialCharactersAreEscapedAndUnicodeKept(_ typed: String, _ expected: String) {
        #expect(LDAPDirectory.escape(typed) == expected)
    }
}
