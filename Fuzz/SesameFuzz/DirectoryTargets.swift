import SesameCore
import SesameDirectory

/// What a directory answers (libldap decodes the protocol; Sesame reads the values and the diagnostic text), and
/// the filter built from a typed user ID.
let directoryTargets: [FuzzTarget] = [
    FuzzTarget(name: "ldap") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        let escaped = LDAPDirectory.escape(text)
        require(!escaped.contains("*") && !escaped.contains("(") && !escaped.contains(")"), "a filter value has no bare * ( )")
        // The first byte picks a result code; every line is an attribute value.
        let code = Int32(bytes.first ?? 0)
        _ = LDAPConnection.failure(code, words: text, denied: .permissions(reason: "denied"))
        let values = text.split(separator: "\n").map(String.init)
        let entry = LDAPConnection.Entry(dn: "uid=fuzz", values: [
            "uid": values, "cn": values, "mail": values, "mobile": values, "telephonenumber": values,
            "userprincipalname": values, "pwdaccountlockedtime": values, "useraccountcontrol": values,
            "pwdchangedtime": values, "pwdlastset": values, "msds-user-account-control-computed": values,
        ])
        for kind in [LDAPSettings.Kind.openLDAP, .activeDirectory] {
            let settings = LDAPSettings(url: "ldap://127.0.0.1", kind: kind, bindDN: "cn=s", bindPassword: "p", baseDN: "dc=x")
            _ = LDAPDirectory.directoryEntry(entry, settings: settings)
            _ = LDAPDirectory.accountState(entry, settings: settings)
        }
    },
]
