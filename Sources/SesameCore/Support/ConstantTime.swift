/// Compares secrets without an early exit (a CSRF token, the metrics token, an authenticator code, a passkey
/// challenge), so that the time taken does not tell an attacker how many leading bytes were right.
public enum ConstantTime {
    public static func equal(_ expected: String, _ sent: String) -> Bool {
        equal(Array(expected.utf8), Array(sent.utf8))
    }

    public static func equal(_ expected: [UInt8], _ sent: [UInt8]) -> Bool {
        guard expected.count == sent.count else { return false }
        return zip(expected, sent).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
