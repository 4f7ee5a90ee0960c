import Foundation
import Testing

@testable import SesameCore

/// docs/security.md cannot drift from the code: its authorization matrix is rendered from `AdminAuthority.allows`
/// itself, over every `AdminAction` (the list the role tests check the rules of), and its throttle table must hold
/// every `ThrottleKind` with its rule's numbers. `SESAME_WRITE_DOCS=1` writes the matrix into the file instead of
/// failing (docs/architecture.md#tests-fuzzing-and-scripts). And every test the docs cite as evidence exists.
@Suite struct SecurityDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let path = root.appendingPathComponent("docs/security.md")
    static let begin = "<!-- authorization-matrix:begin -->"
    static let end = "<!-- authorization-matrix:end -->"

    /// The matrix's columns: who acts, the roles held alone.
    static let actors: [(name: String, roles: Set<Role>)] = [
        ("Global administrator", [.globalAdmin]), ("User administrator", [.userAdmin]), ("Password administrator", [.passwordAdmin]),
        ("Helpdesk administrator", [.helpdeskAdmin]), ("No role", []),
    ]

    /// Whom an action is done to, weakest first, as a cell names them.
    static let targets: [(name: String, roles: Set<Role>)] = [
        ("no role", []), ("helpdesk", [.helpdeskAdmin]), ("password", [.passwordAdmin]), ("user", [.userAdmin]), ("global", [.globalAdmin]),
    ]

    /// A row's name. The switch has no default, so a new action does not compile until it is named here.
    static func label(_ action: AdminAction) -> String {
        switch action {
        case .view: "view the user's page"
        case .resetPassword: "reset the password (portal, API, import row)"
        case .unlock: "unlock"
        case .requireRegistration: "require registration again; void recovery codes"
        case .edit: "edit names, contact data, groups, enabled; remove the authenticator app"
        case .setRoles(let roles): "set the roles to " + (roles.isEmpty ? "none" : roles.sorted().map { "`\($0.rawValue)`" }.joined(separator: ", "))
        case .importUsers: "import users (a row also needs the right to each change it makes)"
        case .delete: "delete the user (API only)"
        case .issueAccessPass: "issue or revoke a temporary access pass"
        case .endSessions: "sign the user out everywhere (portal, API, command line)"
        }
    }

    static func target(_ roles: Set<Role>) -> User {
        User(userID: "target@contoso.com", roles: roles, createdAt: Date(timeIntervalSince1970: 0))
    }

    /// The targets `roles` may do `action` to, in words.
    static func cell(_ roles: Set<Role>, _ action: AdminAction) -> String {
        let allowed = targets.filter { AdminAuthority.allows(roles, action, on: target($0.roles)) }.map(\.name)
        switch allowed.count {
        case targets.count: return "all"
        case 0: return "—"
        default: return allowed == targets.dropLast().map(\.name) ? "all but global" : allowed.joined(separator: ", ")
        }
    }

    static func matrix() -> String {
        var lines = ["| Action | " + actors.map(\.name).joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: actors.count + 1)]
        for action in AdminAction.allCases {
            lines.append("| \(label(action)) | " + actors.map { cell($0.roles, action) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    @Test func theAuthorizationMatrixIsAdminAuthoritysOwn() throws {
        let document = try String(contentsOf: Self.path, encoding: .utf8)
        let start = try #require(document.range(of: Self.begin + "\n"), "docs/security.md lacks \(Self.begin)")
        let stop = try #require(document.range(of: "\n" + Self.end, range: start.upperBound..<document.endIndex), "docs/security.md lacks \(Self.end)")
        let expected = Self.matrix()
        if ProcessInfo.processInfo.environment["SESAME_WRITE_DOCS"] == "1" {
            try document.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: expected).write(to: Self.path, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(document[start.upperBound..<stop.lowerBound]) == expected, """
            docs/security.md's authorization matrix is not AdminAuthority's. Run SESAME_WRITE_DOCS=1 swift test --filter \
            SecurityDocsTests, or put this between its markers:
            \(expected)
            """)
    }

    /// The matrix shows single roles; the sentence under it says how several combine, and this holds it to that: an
    /// actor holding two roles may do what either may, and a target holding two is protected by both.
    @Test func severalRolesCombineAsTheDocsSay() {
        let pairs = Role.allCases.flatMap { first in Role.allCases.filter { first < $0 }.map { Set([first, $0]) } }
        for action in AdminAction.allCases {
            for target in Self.targets {
                for pair in pairs {
                    let either = pair.contains { AdminAuthority.allows([$0], action, on: Self.target(target.roles)) }
                    #expect(AdminAuthority.allows(pair, action, on: Self.target(target.roles)) == either, "\(pair) \(action) on \(target.name)")
                }
            }
            for actor in Self.actors {
                for pair in pairs {
                    let both = pair.allSatisfy { AdminAuthority.allows(actor.roles, action, on: Self.target([$0])) }
                    #expect(AdminAuthority.allows(actor.roles, action, on: Self.target(pair)) == both, "\(actor.name) \(action) on \(pair)")
                }
            }
        }
    }

    /// A window or block as the table writes it.
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds)
        if whole % 3_600 == 0 { return "\(whole / 3_600) h" }
        if whole % 60 == 0 { return "\(whole / 60) min" }
        return "\(whole) s"
    }

    /// The rows of the table under `## Throttles`, by kind: the cells after the kind's.
    static func throttleRows(of document: String) -> [String: [String]] {
        let section = document.components(separatedBy: "\n## Throttles\n").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        var rows: [String: [String]] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let kind = cells.first else { continue }
            rows[kind.trimmingCharacters(in: ["`"])] = Array(cells.dropFirst())
        }
        return rows
    }

    /// Columns after the kind: what is counted, per, limit, window, block, cleared by a self-service reset, cleared by
    /// an administrator's reset.
    @Test func everyThrottleIsInTheTableWithItsRule() throws {
        let rows = Self.throttleRows(of: try String(contentsOf: Self.path, encoding: .utf8))
        #expect(Set(rows.keys) == Set(ThrottleKind.allCases.map(\.rawValue)), "docs/security.md#throttles has a row for each ThrottleKind, no other")
        for kind in ThrottleKind.allCases {
            guard let cells = rows[kind.rawValue], cells.count == 7 else {
                Issue.record("docs/security.md#throttles: no row of 8 cells for `\(kind.rawValue)`")
                continue
            }
            let rule = kind.rule
            let limit = rule.limit.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
            #expect(cells[2] == limit || cells[2].hasPrefix(limit + " "), "\(kind): limit \(limit), the table says \(cells[2])")
            #expect(cells[3] == Self.duration(rule.window), "\(kind): window \(Self.duration(rule.window))")
            #expect(cells[4] == Self.duration(rule.block), "\(kind): block \(Self.duration(rule.block))")
            #expect(cells[5] == (ThrottleKind.clearedBySelfServiceReset.contains(kind) ? "yes" : "no"), "\(kind): cleared by a reset")
            #expect(cells[6] == (ThrottleKind.perUser.contains(kind) ? "yes" : "no"), "\(kind): cleared by an administrator's reset")
        }
    }

    /// Every test the README and docs/ cite (`SomeTests`, `SomeTests.someTest`, `SomeTests.Nested.someTest`) is
    /// declared under Tests/, so that a renamed or removed test cannot stay cited as evidence (docs/compliance.md).
    @Test func everyTestTheDocsCiteExists() throws {
        let tests = Self.root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        // What each file declares, read once: type and function names.
        let declared = try files.filter { $0.pathExtension == "swift" }.map { file in
            Set(try String(contentsOf: file, encoding: .utf8).matches(of: #/(?:struct|extension|enum|class|func)\s+([A-Za-z_][A-Za-z0-9_]*)/#).map { String($0.1) })
        }
        let documents = try FileManager.default.contentsOfDirectory(at: Self.root.appendingPathComponent("docs"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" } + [Self.root.appendingPathComponent("README.md")]
        var cited = 0
        for document in documents {
            for match in try String(contentsOf: document, encoding: .utf8).matches(of: #/`([A-Z][A-Za-z]*Tests)((?:\.[A-Za-z]+)*)`/#) {
                let names = match.2.split(separator: ".").map(String.init)
                guard names.last != "swift" else { continue }
                let suite = String(match.1)
                let declaring = declared.filter { $0.contains(suite) }
                #expect(!declaring.isEmpty, "\(document.lastPathComponent) cites \(suite), which no file under Tests/ declares")
                for name in names {
                    #expect(declaring.contains { $0.contains(name) }, "\(document.lastPathComponent) cites \(suite).\(names.joined(separator: ".")): no \(name) in \(suite)'s files")
                }
                cited += 1
            }
        }
        #expect(cited > 100, "the docs cite their tests")
    }
}
