import Foundation

/// Whether the kernel backs a mapping advised with `MADV_HUGEPAGE` with huge pages: Linux's setting in
/// `/sys/kernel/mm/transparent_hugepage/enabled` is `[always]` or `[madvise]`. With `[never]`, or without the file,
/// mapping each hash's memory afresh would cost a fault per 4 KiB page, half as much time again as the hash
/// (docs/security.md#argon2id-memory), and hashes leave their memory to malloc instead.
public enum TransparentHugePages {
    public static var available: Bool {
        available(setting: try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8))
    }

    /// Reads the setting's text, `always [madvise] never`, where the brackets mark the one in force.
    static func available(setting: String?) -> Bool {
        guard let setting else { return false }
        return setting.contains("[always]") || setting.contains("[madvise]")
    }
}
