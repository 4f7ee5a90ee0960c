import CLDAP
import Foundation

/// One libldap connection. Every call blocks, so a connection is used by one thread at a time and only from
/// ``LDAPDirectory``, which runs it on a thread pool; it is never shared.
final class LDAPConnection {
    private let handle: OpaquePointer

    /// Connects (StartTLS when asked, certificate checked) and binds as `dn`.
    init(settings: LDAPSettings, dn: String, password: String) throws(DirectoryError) {
        var handle: OpaquePointer?
        guard ldap_initialize(&handle, settings.url) == LDAP_SUCCESS, let handle else {
            throw .unavailable("\(settings.url) is not an LDAP URL")
        }
        self.handle = handle
        var version = LDAP_VERSION3
        ldap_set_option(handle, LDAP_OPT_PROTOCOL_VERSION, &version)
        var timeout = timeval(tv_sec: settings.timeoutSeconds, tv_usec: 0)
        ldap_set_option(handle, LDAP_OPT_NETWORK_TIMEOUT, &timeout)
        ldap_set_option(handle, LDAP_OPT_TIMEOUT, &timeout)
        ldap_set_option(handle, LDAP_OPT_REFERRALS, nil)
        var demand = LDAP_OPT_X_TLS_DEMAND
        ldap_set_option(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)
        if let file = settings.certificateAuthorityFile {
            _ = file.withCString { ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, $0) }
        }
        var newContext: Int32 = 0
        ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &newContext)
        if settings.startTLS, settings.url.lowercased().hasPrefix("ldap://") {
            let code = ldap_start_tls_s(handle, nil, nil)
            guard code == LDAP_SUCCESS else { throw .unavailable("StartTLS failed: \(Self.text(code))") }
        }
        try bind(dn: dn, password: password)
    }

    deinit { ldap_unbind_ext_s(handle, nil, nil) }

    /// A simple bind, reading the password-policy response so that a locked account is told apart.
    func bind(dn: String, password: String) throws(DirectoryError) {
        var credentials = Self.berval(password)
        defer { credentials.bv_val.deallocate() }
        var messageID: Int32 = 0
        let sent = try withPolicyControl { controls in
            ldap_sasl_bind(handle, dn, nil, &credentials, controls, nil, &messageID)
        }
        guard sent == LDAP_SUCCESS else { throw .unavailable("bind could not be sent: \(Self.text(sent))") }
        try result(of: messageID, invalid: .invalidCredentials)
    }

    /// RFC 3062 password modify: with `old`, as the user; without, as an administrator.
    func modifyPassword(of dn: String, old: String?, new: String) throws(DirectoryError) {
        var user = Self.berval(dn)
        var oldValue = old.map(Self.berval)
        var newValue = Self.berval(new)
        defer {
            user.bv_val.deallocate()
            oldValue?.bv_val.deallocate()
            newValue.bv_val.deallocate()
        }
        var messageID: Int32 = 0
        let sent = try withPolicyControl { controls in
            if oldValue != nil {
                return ldap_passwd(handle, &user, &oldValue!, &newValue, controls, nil, &messageID)
            }
            return ldap_passwd(handle, &user, nil, &newValue, controls, nil, &messageID)
        }
        guard sent == LDAP_SUCCESS else { throw .unavailable("password modify could not be sent: \(Self.text(sent))") }
        try result(of: messageID, invalid: .mustSupplyOldPassword)
    }

    /// Deletes an attribute (a missing one is fine): `pwdAccountLockedTime` unlocks on OpenLDAP.
    func deleteAttribute(_ attribute: String, of dn: String) throws(DirectoryError) {
        let name = strdup(attribute)!
        defer { free(name) }
        var modification = LDAPMod()
        modification.mod_op = LDAP_MOD_DELETE
        modification.mod_type = name
        modification.mod_vals.modv_strvals = nil
        let code = withUnsafeMutablePointer(to: &modification) { pointer -> Int32 in
            var list: [UnsafeMutablePointer<LDAPMod>?] = [pointer, nil]
            return ldap_modify_ext_s(handle, dn, &list, nil, nil)
        }
        guard code == LDAP_SUCCESS || code == LDAP_NO_SUCH_ATTRIBUTE else { throw .refused(Self.text(code)) }
    }

    /// The values of `attribute` on `dn` (empty when it has none).
    func values(of attribute: String, on dn: String) throws(DirectoryError) -> [String] {
        let name = strdup(attribute)!
        defer { free(name) }
        var attributes: [UnsafeMutablePointer<CChar>?] = [name, nil]
        var message: OpaquePointer?
        let code = ldap_search_ext_s(handle, dn, LDAP_SCOPE_BASE, "(objectClass=*)", &attributes, 0, nil, nil, nil, 0, &message)
        defer { if let message { ldap_msgfree(message) } }
        guard code == LDAP_SUCCESS, let entry = ldap_first_entry(handle, message) else {
            throw code == LDAP_NO_SUCH_OBJECT ? .refused("no entry \(dn)") : .unavailable(Self.text(code))
        }
        guard let found = ldap_get_values_len(handle, entry, attribute) else { return [] }
        defer { ldap_value_free_len(found) }
        var values: [String] = []
        var index = 0
        while let value = found[index] {
            values.append(String(decoding: UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len)), as: UTF8.self))
            index += 1
        }
        return values
    }

    // MARK: Results and the password-policy control

    /// Waits for the answer to `messageID` and turns a refusal into what the directory's policy said.
    private func result(of messageID: Int32, invalid: DirectoryError) throws(DirectoryError) {
        var message: OpaquePointer?
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        guard ldap_result(handle, messageID, LDAP_MSG_ALL, &timeout, &message) > 0, let message else {
            throw .unavailable("the directory did not answer")
        }
        var code: Int32 = 0
        var diagnostic: UnsafeMutablePointer<CChar>?
        var controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        guard ldap_parse_result(handle, message, &code, nil, &diagnostic, nil, &controls, 1) == LDAP_SUCCESS else {
            throw .unavailable("an answer could not be read")
        }
        defer {
            if let diagnostic { ldap_memfree(diagnostic) }
            if let controls { ldap_controls_free(controls) }
        }
        if let policy = policyError(in: controls) { throw policy }
        guard code != LDAP_SUCCESS else { return }
        let words = diagnostic.map { String(cString: $0) } ?? ""
        switch code {
        case LDAP_INVALID_CREDENTIALS: throw invalid
        case LDAP_INSUFFICIENT_ACCESS: throw .changeNotAllowed
        case LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_TIMEOUT: throw .unavailable(Self.text(code))
        default: throw .refused(words.isEmpty ? Self.text(code) : "\(Self.text(code)): \(words)")
        }
    }

    private func policyError(in controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?) -> DirectoryError? {
        guard let controls, let control = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE, controls, nil) else { return nil }
        var expire: Int32 = 0
        var grace: Int32 = 0
        var error = PP_noError
        guard ldap_parse_passwordpolicy_control(handle, control, &expire, &grace, &error) == LDAP_SUCCESS else { return nil }
        return switch error {
        case PP_accountLocked: .accountLocked
        case PP_passwordTooShort: .passwordTooShort
        case PP_passwordInHistory: .passwordInHistory
        case PP_passwordTooYoung: .passwordTooYoung
        case PP_insufficientPasswordQuality: .insufficientPasswordQuality
        case PP_passwordModNotAllowed: .changeNotAllowed
        case PP_mustSupplyOldPassword: .mustSupplyOldPassword
        default: nil
        }
    }

    /// Runs `body` with a request control list holding the password-policy request.
    private func withPolicyControl(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>) -> Int32) throws(DirectoryError) -> Int32 {
        var control: UnsafeMutablePointer<LDAPControl>?
        guard ldap_create_passwordpolicy_control(handle, &control) == LDAP_SUCCESS, let control else {
            throw .unavailable("the password-policy control could not be built")
        }
        defer { ldap_control_free(control) }
        var list: [UnsafeMutablePointer<LDAPControl>?] = [control, nil]
        return list.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }

    private static func berval(_ text: String) -> berval {
        let bytes = Array(text.utf8)
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
        for (index, byte) in bytes.enumerated() { storage[index] = CChar(bitPattern: byte) }
        return CLDAP.berval(bv_len: ber_len_t(bytes.count), bv_val: storage)
    }

    private static func text(_ code: Int32) -> String {
        String(cString: ldap_err2string(code))
    }
}
