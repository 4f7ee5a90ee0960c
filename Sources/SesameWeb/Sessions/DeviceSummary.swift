/// A short, readable name for the browser behind a User-Agent header ("Firefox, Linux"), for the user's list of
/// sessions. The header is the client's to write: only names from the fixed lists below come out of it, so nothing
/// the client wrote reaches a page (docs/security.md#sessions).
enum DeviceSummary {
    /// Tried in order: Edge and Opera also name Chrome, Chrome also names Safari.
    static let browsers: [(marker: String, name: String)] = [
        ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"),
        ("Safari/", "Safari"), ("curl/", "curl"),
    ]
    /// Tried in order: Android also names Linux, iOS also names Mac OS X.
    static let systems: [(marker: String, name: String)] = [
        ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"), ("Windows", "Windows"),
        ("Mac OS X", "macOS"), ("Linux", "Linux"),
    ]

    /// `nil` when neither the browser nor the system is known.
    static func of(_ userAgent: String?) -> String? {
        // A header longer than any real one is not worth reading.
        guard let userAgent, userAgent.utf8.count <= 1_024 else { return nil }
        let browser = browsers.first { userAgent.contains($0.marker) }?.name
        let system = systems.first { userAgent.contains($0.marker) }?.name
        switch (browser, system) {
        case let (browser?, system?): return "\(browser), \(system)"
        case let (browser?, nil): return browser
        case let (nil, system?): return system
        case (nil, nil): return nil
        }
    }
}
