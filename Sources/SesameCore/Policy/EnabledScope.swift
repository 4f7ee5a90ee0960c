/// Who may use self-service password reset: `enabled`, Entra's 2017+ form of the setting
/// (docs/behaviour.md#policy-keys).
public enum EnabledScope: String, Sendable, Codable, CaseIterable {
    case none
    case selected
    case all
}
