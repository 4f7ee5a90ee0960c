import Foundation

/// The admin portal's filter on every column (docs/behaviour.md#reports-and-audit), turned into filters the database
/// applies (docs/scale.md#reports). A column of free text matches rows whose text contains the filter; a column
/// Sesame writes from a list of codes (methods, result, details, data registered, status) matches the codes whose
/// text, in the reader's language, contains it, so that a French administrator filters on « Réussi ».
extension ReportService {
    public static func filters(_ kind: ReportKind, _ columnFilters: [String: String], language: Language) -> [ActivityFilter] {
        columnIDs(kind).compactMap { column in
            guard let needle = columnFilters[column]?.trimmingWhiteSpace(), !needle.isEmpty else { return nil }
            return filter(kind, column: column, needle: needle, language: language)
        }
    }

    private static func filter(_ kind: ReportKind, column: String, needle: String, language: Language) -> ActivityFilter? {
        func codes<Value>(_ values: [Value], code: (Value) -> String, text: (Value) -> LocalizedText) -> ActivityFilter.Match {
            .oneOf(values.filter { text($0).rendered(in: language).range(of: needle, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
                .map(code))
        }
        switch (kind, column) {
        case (_, "dateTime"): return ActivityFilter(.time, .contains(needle))
        case (.audit, "activity"): return ActivityFilter(.activity, .contains(needle))
        case (.audit, "actor"): return ActivityFilter(.actor, .contains(needle))
        case (.audit, "target"): return ActivityFilter(.target, .contains(needle))
        case (.audit, "detail"): return ActivityFilter(.auditDetail, .contains(needle))
        case (.audit, "failureReason"): return ActivityFilter(.failureReason, .contains(needle))
        case (.audit, "supportCode"): return ActivityFilter(.requestID, .contains(needle))
        case (.audit, "status"):
            return ActivityFilter(.status, codes(AuditStatus.allCases, code: \.rawValue) { LocalizedText("audit.status.\($0)") })
        case (_, "user"): return ActivityFilter(.userID, .contains(needle))
        case (_, "role"): return ActivityFilter(.role, .contains(needle))
        case (.resets, "methodsUsed"): return ActivityFilter(.methods, codes(VerificationOption.allCases, code: \.rawValue, text: \.label))
        case (.resets, "result"):
            return ActivityFilter(.resetDetail, codes(ResetDetail.allCases, code: \.code) { LocalizedText("report.result.\($0.result)") })
        case (.resets, "details"): return ActivityFilter(.resetDetail, codes(ResetDetail.allCases, code: \.code, text: \.text))
        case (.registrations, "dataRegistered"):
            return ActivityFilter(.dataRegistered, codes(AuthenticationMethod.allCases, code: \.rawValue) { LocalizedText("report.method.\($0.rawValue)") })
        default: return nil
        }
    }
}
