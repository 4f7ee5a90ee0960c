import Foundation

/// The rules that apply to one user: the organisation's policy, or the fixed administrator policy.
public struct EffectivePolicy: Sendable, Hashable {
    public let methods: Set<AuthenticationMethod>
    public let methodsRequired: Int
    public let questionsToRegister: Int
    public let questionsToReset: Int
    /// Whether registration needs a method that is not restricted (``AuthenticationMethod/isRestricted``). The
    /// organisation's knob, which binds administrators too: their email is such a method.
    public let requiresNonPhoneMethod: Bool
    /// The organisation's phone rule, which binds administrators too: toll fraud does not care who is called.
    public let phones: PhoneRule
    /// Whether pre-populated contact data serves a reset (`prepopulatedForReset`): the organisation's knob, which
    /// binds administrators too.
    public let usesPrepopulated: Bool

    /// Administrators of any role: two gates, email, mobile phone, authenticator app and passkey only, never
    /// security questions (docs/behaviour.md#policy-keys). It cannot be changed.
    public static func administrator(phones: PhoneRule, requiresNonPhoneMethod: Bool = false, usesPrepopulated: Bool = true) -> EffectivePolicy {
        EffectivePolicy(
            methods: [.email, .mobilePhone, .authenticatorApp, .passkey], methodsRequired: 2, questionsToRegister: 0, questionsToReset: 0,
            requiresNonPhoneMethod: requiresNonPhoneMethod, phones: phones, usesPrepopulated: usesPrepopulated)
    }

    /// The contact data a reset may use: all of it, or only what the user verified (docs/behaviour.md#policy-keys).
    public func resetData(_ data: AuthenticationData) -> AuthenticationData {
        usesPrepopulated ? data : data.verifiedOnly
    }

    /// The methods this user's data can serve under these rules.
    public func usableMethods(of data: AuthenticationData) -> Set<AuthenticationMethod> {
        resetData(data).usableMethods(among: methods, questionsToReset: questionsToReset, phones: phones)
    }

    /// Whether a phone on file for one of these methods is one the phone rule refuses: why a user may have too few.
    public func refusesPhone(of data: AuthenticationData) -> Bool {
        let data = resetData(data)
        let onFile = [
            methods.contains(.mobilePhone) ? data.resetMobilePhone : nil, methods.contains(.officePhone) ? data.officePhone : nil,
        ]
        return onFile.compactMap { $0 }.contains { !phones.permitsSomeChannel($0) }
    }

    /// Registered or pre-populated data covers the required number of methods, one of them not restricted when the
    /// policy asks for it (docs/behaviour.md#registration-portal).
    public func isSatisfied(by data: AuthenticationData) -> Bool {
        let usable = usableMethods(of: data)
        return usable.count >= methodsRequired && !lacksNonPhoneMethod(usable)
    }

    /// Whether the policy asks for an unrestricted method and `usable` has none: what the registration page says.
    public func lacksNonPhoneMethod(_ usable: Set<AuthenticationMethod>) -> Bool {
        requiresNonPhoneMethod && usable.allSatisfy(\.isRestricted)
    }
}

/// Whether a user may register and reset at all (docs/behaviour.md#eligibility). Failures are in the order they are
/// checked.
public enum Eligibility: String, Sendable, Hashable {
    case eligible
    /// The account is disabled (Sesame's stand-in for Entra's "licensed").
    case accountDisabled
    /// Reset is switched off for the whole organisation.
    case disabledForOrganisation
    /// Reset is limited to a group this user is not in.
    case notInGroup
}

extension Policy {
    public func effective(for user: User) -> EffectivePolicy {
        if user.isPrivileged {
            return .administrator(phones: phones, requiresNonPhoneMethod: requireNonPhoneMethod, usesPrepopulated: prepopulatedForReset)
        }
        return EffectivePolicy(
            methods: methods, methodsRequired: methodsRequired, questionsToRegister: questionsToRegister,
            questionsToReset: questionsToReset, requiresNonPhoneMethod: requireNonPhoneMethod, phones: phones,
            usesPrepopulated: prepopulatedForReset)
    }

    /// Administrators keep the right to reset whatever the scope, since their policy is fixed and not the
    /// organisation's to switch off (docs/behaviour.md#policy-keys); everyone else follows the scope and the group.
    public func eligibility(of user: User) -> Eligibility {
        guard user.enabled else { return .accountDisabled }
        if user.isPrivileged { return .eligible }
        switch enabled {
        case .none: return .disabledForOrganisation
        case .all: return .eligible
        case .selected: return user.groups.contains(group) ? .eligible : .notInGroup
        }
    }

    /// Whether sign-in must send this user to the registration portal (docs/behaviour.md#registration-portal).
    public func registrationInterrupt(for user: User, now: Date) -> RegistrationInterrupt? {
        guard requireRegistration, eligibility(of: user) == .eligible else { return nil }
        if !user.registration.isRegistered || !effective(for: user).isSatisfied(by: user.authentication) {
            return .register
        }
        return user.registration.needsReconfirmation(reconfirmDays: reconfirmDays, now: now) ? .reconfirm : nil
    }
}

/// Why sign-in interrupts a user on the way in.
public enum RegistrationInterrupt: String, Sendable, Hashable {
    case register
    case reconfirm
}
