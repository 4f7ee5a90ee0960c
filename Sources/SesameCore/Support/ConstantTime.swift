/// Compares secrets without an early exit (a CSRF token, the metrics token, an authenticator code), so that the time
/// taken does not tell an attacker how many leading bytes were right.
public enum ConstantTime {
    public static func equal(_ expected: String, _ sent: String) -> Bool {
        let left = Array(expected.utf8), right = Array(sent.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
