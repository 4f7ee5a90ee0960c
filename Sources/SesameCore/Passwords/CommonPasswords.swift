/// The built-in global banned list: the most common leaked passwords (generated data, see `scripts/data`).
public enum CommonPasswords {
    public static var all: [String] {
        text.split(separator: "\n").map(String.init)
    }
}
