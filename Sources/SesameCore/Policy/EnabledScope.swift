/// Who may use self-service password reset (spec §3.1, the 2017+ form of the setting).
public enum EnabledScope: String, Sendable, Codable, CaseIterable {
    case none
    case selected
    case all
}
