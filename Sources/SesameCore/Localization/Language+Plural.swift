/// A CLDR plural category: which form of a counted word a number takes ("1 minute", "2 minutes", Russian's
/// "1 минута", "2 минуты", "5 минут").
public enum PluralCategory: String, Sendable, CaseIterable {
    case zero, one, two, few, many, other
}

extension Language {
    /// The plural category of a whole number, by the CLDR cardinal rules for this language (docs/localization.md).
    /// Sesame only counts whole things (minutes, codes, methods), so only the integer branches of the rules are
    /// kept; `Tests/SesameCoreTests/Fixtures/plurals.json`, written from CLDR by Babel, checks them.
    public func pluralCategory(_ number: Int) -> PluralCategory {
        let n = number.magnitude
        let mod10 = n % 10
        let mod100 = n % 100
        switch self {
        case .arabic:
            switch n {
            case 0: return .zero
            case 1: return .one
            case 2: return .two
            default: return (3...10).contains(mod100) ? .few : (11...99).contains(mod100) ? .many : .other
            }
        case .bulgarian, .danish, .german, .greek, .english, .estonian, .basque, .finnish, .hungarian, .kazakh,
            .norwegianBokmal, .dutch, .swedish, .turkish:
            return n == 1 ? .one : .other
        case .catalan, .spanish, .galician, .italian, .portuguese:
            return n == 1 ? .one : Self.isWholeMillions(n) ? .many : .other
        case .french, .brazilianPortuguese:
            return n <= 1 ? .one : Self.isWholeMillions(n) ? .many : .other
        case .hindi, .vietnamese:
            return n <= 1 ? .one : .other
        case .hebrew:
            return n == 1 ? .one : n == 2 ? .two : .other
        case .czech, .slovak:
            return n == 1 ? .one : (2...4).contains(n) ? .few : .other
        case .croatian, .serbianLatin:
            return Self.slavicOne(mod10, mod100) ? .one : Self.slavicFew(mod10, mod100) ? .few : .other
        case .russian, .ukrainian:
            return Self.slavicOne(mod10, mod100) ? .one : Self.slavicFew(mod10, mod100) ? .few : .many
        case .polish:
            return n == 1 ? .one : Self.slavicFew(mod10, mod100) ? .few : .many
        case .lithuanian:
            guard !(11...19).contains(mod100) else { return .other }
            return mod10 == 1 ? .one : mod10 >= 2 ? .few : .other
        case .latvian:
            return mod10 == 0 || (11...19).contains(mod100) ? .zero : mod10 == 1 && mod100 != 11 ? .one : .other
        case .romanian:
            return n == 1 ? .one : n == 0 || (1...19).contains(mod100) ? .few : .other
        case .slovenian:
            return mod100 == 1 ? .one : mod100 == 2 ? .two : (3...4).contains(mod100) ? .few : .other
        case .indonesian, .japanese, .korean, .malay, .thai, .simplifiedChinese, .traditionalChinese:
            return .other
        }
    }

    /// The categories this language's whole numbers fall in, `other` always included (ICU requires it).
    public var pluralCategories: Set<PluralCategory> {
        var categories: Set<PluralCategory> = [.other]
        // Every rule above depends on n, n % 10, n % 100 and whether n is a whole number of millions.
        for n in Array(0...200) + [1_000_000] { categories.insert(pluralCategory(n)) }
        return categories
    }

    private static func isWholeMillions(_ n: UInt) -> Bool { n != 0 && n % 1_000_000 == 0 }
    private static func slavicOne(_ mod10: UInt, _ mod100: UInt) -> Bool { mod10 == 1 && mod100 != 11 }
    private static func slavicFew(_ mod10: UInt, _ mod100: UInt) -> Bool { (2...4).contains(mod10) && !(12...14).contains(mod100) }
}
