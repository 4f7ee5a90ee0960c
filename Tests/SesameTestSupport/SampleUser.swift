import Foundation
import SesameCore
/// A user with every field filled, for the service tests and the store contract suite.
public func sampleUser(_ userID: String = "alice@contoso.com", at date: Date = t0) throws -> User {
    var user = User(
        userID: userID, displayName: "Alice Martin", givenName: "Alice", surname: "Martin", roles: [.passwordAdmin],
        groups: ["staff", "sspr"], passwordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", passwordChangedAt: date,
        locale: .french, createdAt: date)
    user.authentication = AuthenticationData(
        authenticationPhone: try PhoneNumber(international: "+33 6 11 11 11 11"),
        authenticationEmail: try EmailAddress("alice@private.example"),
        mobilePhone: try PhoneNumber(international: "+33 6 22 22 22 22"),
        officePhone: try PhoneNumber(international: "+33 1 23 45 67 89"),
        alternateEmail: try EmailAddress("甲斐@黒川.日本"),
        securityAnswers: [SecurityAnswer(question: .predefined(4), answerHash: "h1"), SecurityAnswer(question: .custom("Badge colour?"), answerHash: "h2")],
        sealedAuthenticatorSecret: Data((0..<48).map { UInt8(255 - $0) }))
    user.registration = RegistrationState(registeredAt: date, lastConfirmedAt: date.addingTimeInterval(60))
    // Without a streak: only claims write one (LockoutStoreContractTests).
    user.lockout = SignInLockout(failures: 1, recentWrongPasswords: ["fp1"], lastFailureAt: date)
    return user
}
