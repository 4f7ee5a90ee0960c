import CLDAP
import Foundation
import SesameCore

/// One libldap connection. Every call blocks, so a connection is used by one thread at a time and only from
/// ``LDAPDirectory``, which runs it on a thread pool; it is never shared.
package final class LDAPConnection {
    private let handle: OpaquePointer
    private let timeoutSeconds: Int

    /// Connects (StartTLS when asked, the certificate checked). Binding is a separate step. Only the status check
    /// turns `checkCertificate` off, to tell a refused certificate from a server that cannot be reached.
    init(settings: LDAPSettings, checkCertificate: Bool = true) throws(WritebackError) {
        var handle: OpaquePointer?
        guard ldap_initialize(&handle, settings.url) == LDAP_SUCCESS, let handle else {
            throw .unavailable(reason: "\(settings.url) is not an LDAP URL")
        }
        self.handle = handle
        timeoutSeconds = settings.timeoutSeconds
        var version = LDAP_VERSION3
        ldap_set_option(handle, LDAP_OPT_PROTOCOL_VERSION, &version)
        var timeout = timeval(tv_sec: settings.timeoutSeconds, tv_usec: 0)
        ldap_set_option(handle, LDAP_OPT_NETWORK_TIMEOUT, &timeout)
        ldap_set_option(handle, LDAP_OPT_TIMEOUT, &timeout)
        ldap_set_option(handle, LDAP_OPT_REFERRALS, nil)
        var demand = checkCertificate ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER
        ldap_set_option(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)
        if let file = settings.certificateAuthorityFile {
            _ = file.withCString { ldap_set_option(handle, LDAP_OPT_X_TLS_CACERTFILE, $0) }
        }
        var newContext: Int32 = 0
        ldap_set_option(handle, LDAP_OPT_X_TLS_NEWCTX, &newContext)
        if settings.startTLS, settings.url.lowercased().hasPrefix("ldap://") {
            let code = ldap_start_tls_s(handle, nil, nil)
            guard code == LDAP_SUCCESS else { throw .unavailable(reason: "StartTLS failed: \(Self.text(code))") }
        }
    }

    deinit { ldap_unbind_ext_s(handle, nil, nil) }

    /// A simple bind, reading the password-policy response (OpenLDAP) or the bind's diagnostic (Active Directory)
    /// so that a locked or disabled account is told apart from a wrong password.
    func bind(dn: String, password: String) throws(WritebackError) {
        // An empty password would make an unauthenticated bind, which succeeds: never a proof of anything.
        guard !password.isEmpty else { throw .incorrectPassword }
        var credentials = Self.berval(Array(password.utf8))
        defer { credentials.bv_val.deallocate() }
        var messageID: Int32 = 0
        let sent = try withPolicyControl { controls in
            ldap_sasl_bind(handle, dn, nil, &credentials, controls, nil, &messageID)
        }
        guard sent == LDAP_SUCCESS else { throw .unavailable(reason: "the bind could not be sent: \(Self.text(sent))") }
        try result(of: messageID, denied: .permissions(reason: "bind refused"))
    }

    /// RFC 3062 password modify: with `old`, as the user; without, as the service account. slapd's ppolicy answers
    /// "no such attribute" or "type or value exists" when two changes of one user's password race on its history;
    /// the change is then tried again, so that two resets of one user at once both end as they would one after the
    /// other.
    func modifyPassword(of dn: String, old: String?, new: String) throws(WritebackError) {
        for attempt in 1...5 {
            do {
                try sendPasswordModify(of: dn, old: old, new: new)
                return
            } catch let error where attempt < 5 && Self.isHistoryRace(error) {
                continue
            }
        }
    }

    private func sendPasswordModify(of dn: String, old: String?, new: String) throws(WritebackError) {
        var user = Self.berval(Array(dn.utf8))
        let oldValue = old.map { Self.berval(Array($0.utf8)) }
        var newValue = Self.berval(Array(new.utf8))
        defer {
            user.bv_val.deallocate()
            oldValue?.bv_val.deallocate()
            newValue.bv_val.deallocate()
        }
        var messageID: Int32 = 0
        let sent = try withPolicyControl { controls in
            if var old = oldValue {
                return ldap_passwd(handle, &user, &old, &newValue, controls, nil, &messageID)
            }
            return ldap_passwd(handle, &user, nil, &newValue, controls, nil, &messageID)
        }
        guard sent == LDAP_SUCCESS else { throw .unavailable(reason: "the password modify could not be sent: \(Self.text(sent))") }
        try result(of: messageID, denied: old == nil ? .permissions(reason: "password modify refused") : .changeNotAllowed)
    }

    static func isNoSuchAttribute(_ error: WritebackError) -> Bool {
        if case .unknown(let reason) = error { return reason.hasPrefix(text(LDAP_NO_SUCH_ATTRIBUTE)) }
        return false
    }

    static func isHistoryRace(_ error: WritebackError) -> Bool {
        if case .unknown(let reason) = error { return reason.hasPrefix(text(LDAP_TYPE_OR_VALUE_EXISTS)) || isNoSuchAttribute(error) }
        return false
    }

    /// One change to an attribute: its values as bytes (Active Directory's `unicodePwd` is UTF-16LE).
    struct Modification {
        enum Operation { case add, delete, replace }
        var operation: Operation
        var attribute: String
        var values: [[UInt8]]
    }

    /// Applies `modifications` to `dn` in one operation. `denied` is what a refusal of access means here.
    func modify(_ dn: String, _ modifications: [Modification], denied: WritebackError) throws(WritebackError) {
        var allocated: [UnsafeMutablePointer<berval>] = []
        var names: [UnsafeMutablePointer<CChar>] = []
        var lists: [UnsafeMutablePointer<UnsafeMutablePointer<berval>?>] = []
        var mods: [UnsafeMutablePointer<LDAPMod>] = []
        defer {
            for value in allocated { value.pointee.bv_val.deallocate(); value.deallocate() }
            names.forEach { free($0) }
            lists.forEach { $0.deallocate() }
            mods.forEach { $0.deallocate() }
        }
        for modification in modifications {
            let list = UnsafeMutablePointer<UnsafeMutablePointer<berval>?>.allocate(capacity: modification.values.count + 1)
            lists.append(list)
            for (index, bytes) in modification.values.enumerated() {
                let value = UnsafeMutablePointer<berval>.allocate(capacity: 1)
                value.initialize(to: Self.berval(bytes))
                allocated.append(value)
                list[index] = value
            }
            list[modification.values.count] = nil
            let name = strdup(modification.attribute)!  // trap-safe: strdup fails only when memory is exhausted
            names.append(name)
            let mod = UnsafeMutablePointer<LDAPMod>.allocate(capacity: 1)
            mod.initialize(to: LDAPMod())
            let operation = switch modification.operation {
            case .add: LDAP_MOD_ADD
            case .delete: LDAP_MOD_DELETE
            case .replace: LDAP_MOD_REPLACE
            }
            mod.pointee.mod_op = LDAP_MOD_BVALUES | operation
            mod.pointee.mod_type = name
            mod.pointee.mod_vals.modv_bvals = modification.values.isEmpty ? nil : list
            mods.append(mod)
        }
        var list: [UnsafeMutablePointer<LDAPMod>?] = mods + [nil]
        var messageID: Int32 = 0
        let sent = try withPolicyControl { controls in ldap_modify_ext(handle, dn, &list, controls, nil, &messageID) }
        guard sent == LDAP_SUCCESS else { throw .unavailable(reason: "the change could not be sent: \(Self.text(sent))") }
        do {
            try result(of: messageID, denied: denied)
        } catch let error where Self.isNoSuchAttribute(error) {
            // Deleting a lock that is not there any more: another request unlocked the account first.
        }
    }

    /// An entry found by a search: its DN and its attributes' values, attribute names in lower case.
    package struct Entry {
        var dn: String
        var values: [String: [String]]

        package init(dn: String, values: [String: [String]]) {
            self.dn = dn
            self.values = values
        }

        func first(_ attribute: String) -> String? { values[attribute.lowercased()]?.first }
    }

    /// A subtree search below `base` (a base search with `scope` `LDAP_SCOPE_BASE`), in one request.
    func search(base: String, scope: Int32 = LDAP_SCOPE_SUBTREE, filter: String, attributes: [String]) throws(WritebackError) -> [Entry] {
        let answer = try self.answer(to: send(base: base, scope: scope, filter: filter, attributes: attributes, controls: nil))
        defer { ldap_msgfree(answer) }
        return entries(in: answer, attributes: attributes)
    }

    /// Every entry of a subtree search below `base`, `pageSize` at a time (RFC 2696 paged results): Active Directory
    /// answers one request with at most 1,000 entries, and an OpenLDAP size limit may be lower still. Each page is
    /// read while the directory prepares the next one: at 100,000 entries, reading took as long as the directory's
    /// answering (docs/scale.md#batches).
    func searchAll(base: String, filter: String, attributes: [String], pageSize: Int) throws(WritebackError) -> [Entry] {
        let controls = UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>.allocate(capacity: 2)
        defer { controls.deallocate() }
        var entries: [Entry] = []
        var cookie: [UInt8] = []
        var unread: OpaquePointer?
        defer { if let unread { ldap_msgfree(unread) } }
        repeat {
            var sent = Self.berval(cookie)
            defer { sent.bv_val.deallocate() }
            var control: UnsafeMutablePointer<LDAPControl>?
            guard ldap_create_page_control(handle, ber_int_t(pageSize), &sent, 0, &control) == LDAP_SUCCESS, let control else {
                throw .unavailable(reason: "the paged-results control could not be built")
            }
            defer { ldap_control_free(control) }
            controls[0] = control  // trap-safe: `controls` was allocated with room for two
            controls[1] = nil  // trap-safe: `controls` was allocated with room for two
            let messageID = try send(base: base, scope: LDAP_SCOPE_SUBTREE, filter: filter, attributes: attributes, controls: controls)
            if let page = unread {
                entries += self.entries(in: page, attributes: attributes)
                ldap_msgfree(page)
                unread = nil
            }
            let page = try answer(to: messageID)
            unread = page
            cookie = try nextPageCookie(in: page)
        } while !cookie.isEmpty
        if let page = unread { entries += self.entries(in: page, attributes: attributes) }
        return entries
    }

    /// Sends a search request; its answer is ``answer(to:)``'s to wait for.
    private func send(
        base: String, scope: Int32, filter: String, attributes: [String], controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
    ) throws(WritebackError) -> Int32 {
        let names = attributes.map { strdup($0)! }  // trap-safe: strdup fails only when memory is exhausted
        defer { names.forEach { free($0) } }
        var list: [UnsafeMutablePointer<CChar>?] = names + [nil]
        var messageID: Int32 = 0
        // Also the server's time limit, as the synchronous search sent it.
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let code = ldap_search_ext(handle, base, scope, filter, &list, 0, controls, nil, &timeout, 0, &messageID)
        guard code == LDAP_SUCCESS else { throw Self.failure(code, words: "", denied: .permissions(reason: "search refused")) }
        return messageID
    }

    /// The whole answer to search `messageID` (its entries and its result), once the search succeeded; the caller
    /// frees it.
    private func answer(to messageID: Int32) throws(WritebackError) -> OpaquePointer {
        var message: OpaquePointer?
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let received = ldap_result(handle, messageID, LDAP_MSG_ALL, &timeout, &message)
        guard received > 0, let message else {
            if let message { ldap_msgfree(message) }
            ldap_abandon_ext(handle, messageID, nil, nil)
            // -1: the connection failed, and libldap says how.
            var code = LDAP_TIMEOUT
            if received < 0 { ldap_get_option(handle, LDAP_OPT_RESULT_CODE, &code) }
            throw .unavailable(reason: Self.text(code))
        }
        var code: Int32 = 0
        guard ldap_parse_result(handle, message, &code, nil, nil, nil, nil, 0) == LDAP_SUCCESS else {
            ldap_msgfree(message)
            throw .unavailable(reason: "an answer could not be read")
        }
        guard code == LDAP_SUCCESS else {
            ldap_msgfree(message)
            throw Self.failure(code, words: "", denied: .permissions(reason: "search refused"))
        }
        return message
    }

    /// The entries of a search's answer, with the values of `attributes`.
    private func entries(in answer: OpaquePointer, attributes: [String]) -> [Entry] {
        var entries: [Entry] = []
        var entry = ldap_first_entry(handle, answer)
        while let current = entry {
            var dnText = ""
            if let dn = ldap_get_dn(handle, current) {
                dnText = String(cString: dn)
                ldap_memfree(dn)
            }
            var values: [String: [String]] = [:]
            for attribute in attributes {
                guard let found = ldap_get_values_len(handle, current, attribute) else { continue }
                var index = 0
                while let value = found[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    values[attribute.lowercased(), default: []].append(String(decoding: bytes, as: UTF8.self))
                    index += 1
                }
                ldap_value_free_len(found)
            }
            entries.append(Entry(dn: dnText, values: values))
            entry = ldap_next_entry(handle, current)
        }
        return entries
    }

    /// The paged-results cookie of a search's answer; empty when there is no further page.
    private func nextPageCookie(in message: OpaquePointer?) throws(WritebackError) -> [UInt8] {
        var answered: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        guard ldap_parse_result(handle, message, nil, nil, nil, nil, &answered, 0) == LDAP_SUCCESS else {
            throw .unavailable(reason: "an answer could not be read")
        }
        defer { if let answered { ldap_controls_free(answered) } }
        guard let paged = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, answered, nil) else { return [] }
        var count: ber_int_t = 0
        var cookie = CLDAP.berval(bv_len: 0, bv_val: nil)
        guard ldap_parse_pageresponse_control(handle, paged, &count, &cookie) == LDAP_SUCCESS else {
            throw .unavailable(reason: "the paged-results answer could not be read")
        }
        defer { ber_memfree(cookie.bv_val) }
        guard let bytes = cookie.bv_val else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: Int(cookie.bv_len)))
    }

    // MARK: Results and the password-policy control

    /// Waits for the answer to `messageID` and turns a refusal into what the directory's policy said.
    private func result(of messageID: Int32, denied: WritebackError) throws(WritebackError) {
        var message: OpaquePointer?
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        guard ldap_result(handle, messageID, LDAP_MSG_ALL, &timeout, &message) > 0, let message else {
            throw .unavailable(reason: "the directory did not answer")
        }
        var code: Int32 = 0
        var diagnostic: UnsafeMutablePointer<CChar>?
        var controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        guard ldap_parse_result(handle, message, &code, nil, &diagnostic, nil, &controls, 1) == LDAP_SUCCESS else {
            throw .unavailable(reason: "an answer could not be read")
        }
        defer {
            if let diagnostic { ldap_memfree(diagnostic) }
            if let controls { ldap_controls_free(controls) }
        }
        if let policy = policyError(in: controls) { throw policy }
        guard code != LDAP_SUCCESS else { return }
        throw Self.failure(code, words: diagnostic.map { String(cString: $0) } ?? "", denied: denied)
    }

    /// A result code and the directory's words as a ``WritebackError``. Active Directory (and Samba) say why a bind or
    /// a password change failed only in the diagnostic text: "data 775" for a locked account, "0000052D" and a
    /// sentence for its password policy.
    package static func failure(_ code: Int32, words: String, denied: WritebackError) -> WritebackError {
        let lowered = words.lowercased()
        switch code {
        case LDAP_INVALID_CREDENTIALS:
            if lowered.contains("data 775") { return .accountLocked }
            // Said only after the password matched (docs/behaviour.md#administrator-set-passwords).
            if lowered.contains("data 773") { return .passwordMustChange }
            if lowered.contains("data 533") || lowered.contains("data 701") { return .accountDisabled }
            return .incorrectPassword
        case LDAP_CONSTRAINT_VIOLATION:
            if lowered.hasPrefix("00000056") { return .incorrectPassword }
            if lowered.contains("too short") { return .passwordTooShort }
            if lowered.contains("already used") || lowered.contains("history") { return .passwordInHistory }
            if lowered.contains("too young") { return .passwordTooYoung }
            // Samba refuses a change the "Change Password" right denies as a constraint of its ACL module.
            if lowered.contains("module acl") { return denied }
            return .passwordPolicy(reason: words)
        case LDAP_INSUFFICIENT_ACCESS: return denied
        case LDAP_NO_SUCH_OBJECT: return .userNotFound
        case LDAP_STRONG_AUTH_REQUIRED, LDAP_CONFIDENTIALITY_REQUIRED:
            return .unavailable(reason: "the directory requires an encrypted connection: use ldaps:// or StartTLS")
        case LDAP_SERVER_DOWN, LDAP_CONNECT_ERROR, LDAP_TIMEOUT, LDAP_UNAVAILABLE, LDAP_BUSY:
            return .unavailable(reason: text(code))
        default:
            return .unknown(reason: words.isEmpty ? text(code) : "\(text(code)): \(words)")
        }
    }

    private func policyError(in controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?) -> WritebackError? {
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
        case PP_insufficientPasswordQuality: .passwordPolicy(reason: "insufficient password quality")
        case PP_passwordModNotAllowed: .changeNotAllowed
        case PP_mustSupplyOldPassword: .incorrectPassword
        default: nil
        }
    }

    /// Runs `body` with a request control list holding the password-policy request.
    private func withPolicyControl(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>) -> Int32) throws(WritebackError) -> Int32 {
        var control: UnsafeMutablePointer<LDAPControl>?
        guard ldap_create_passwordpolicy_control(handle, &control) == LDAP_SUCCESS, let control else {
            throw .unavailable(reason: "the password-policy control could not be built")
        }
        defer { ldap_control_free(control) }
        var list: [UnsafeMutablePointer<LDAPControl>?] = [control, nil]
        return list.withUnsafeMutableBufferPointer { body($0.baseAddress!) }  // trap-safe: a two-element array has storage
    }

    private static func berval(_ bytes: [UInt8]) -> berval {
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
        for (index, byte) in bytes.enumerated() { storage[index] = CChar(bitPattern: byte) }
        return CLDAP.berval(bv_len: ber_len_t(bytes.count), bv_val: storage)
    }

    static func text(_ code: Int32) -> String {
        String(cString: ldap_err2string(code))
    }
}
