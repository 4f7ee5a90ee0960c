import SesameCore
import Testing

@Suite struct PrintableTextTests {
    @Test(arguments: [
        ("Alice Martin", "Alice Martin"),
        ("Zoë Ångström", "Zoë Ångström"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("bell\u{07}esc\u{1B}[2Jdel\u{7F}", "bell\\u{7}esc\\u{1B}[2Jdel\\u{7F}"),
        ("next\u{85}line", "next\\u{85}line"),
        ("user\u{202E}fdp.exe", "user\\u{202E}fdp.exe"),
        ("isolate\u{2066}x\u{2069}", "isolate\\u{2066}x\\u{2069}"),
        ("👩‍💻", "👩‍💻"),
    ])
    func controlsAreEscapedAndTheRestKept(_ text: String, _ shown: String) {
        #expect(PrintableText.escaping(text) == shown)
    }

    @Test func aPreviewIsShortAndSaysSo() {
        #expect(PrintableText.preview("short") == "short")
        #expect(PrintableText.preview(String(repeating: "x", count: 10_000), limit: 5) == "xxxxx…")
        #expect(PrintableText.preview("a\nb", limit: 2) == "a\\…", "short once escaped, found by the fuzz target")
        #expect(PrintableText.preview("ab", limit: 2) == "ab")
    }
}
