import Foundation

/// "Contact your administrator" and the report of a reset tried without cookies
/// (docs/behaviour.md#contact-your-administrator).
extension ResetService {
    /// Asks the administrators to reset the password of the user typed at "Who are you?"
    /// (docs/behaviour.md#contact-your-administrator): helpdesk and password administrators, or else user
    /// administrators, or else global administrators, at most 100, each in their own language. An unknown user ID, or a
    /// second request within the hour, sends nothing; the page is the same either way.
    public func contactAdministrators(typedUserID: String, supportCode: String, clientAddress: String) async throws {
        let typed = typedUserID.trimmingWhiteSpace()
        guard let user = try await store.user(userID: typed),
              try await throttles.allows(.clientSend, clientAddress), try await throttles.allows(.contactRequest, user.id.uuidString)
        else { return }
        let policy = try await policy()
        for admin in try await store.administratorsToContact(excluding: user.id) {
            guard let address = admin.noticeAddress else { continue }
            try await outbox.post(MessageComposer.contactRequest(
                to: address, userID: user.userID, supportCode: supportCode, organisation: policy.organisationName, language: admin.locale ?? policy.defaultLanguage))
        }
    }

    /// A reset from a browser without cookies (the report's "User tried to reset from a device without cookies
    /// enabled", docs/behaviour.md#endings). The post failed its CSRF check, so it is recorded only for a real user and
    /// once an hour: anonymous posts cannot write to the store (docs/security.md#anonymous-writes).
    public func recordNoCookies(typedUserID: String, requestID: String) async throws {
        let typed = typedUserID.trimmingWhiteSpace()
        guard let user = try await store.user(userID: typed),
              try await throttles.allows(.cookielessReport, user.id.uuidString)
        else { return }
        try await record(user.userID, role: user.reportRole, detail: .noCookies, requestID: requestID)
    }
}
