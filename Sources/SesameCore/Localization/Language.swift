/// The languages Sesame speaks (docs/localization.md). Every user-visible string exists in each of them; English is
/// the source. The raw value is the BCP 47 tag pages, cookies, the store and the SMS webhook's `locale` carry.
public enum Language: String, Sendable, Codable, CaseIterable {
    case arabic = "ar"
    case bulgarian = "bg"
    case catalan = "ca"
    case czech = "cs"
    case danish = "da"
    case german = "de"
    case greek = "el"
    case english = "en"
    case spanish = "es"
    case estonian = "et"
    case basque = "eu"
    case finnish = "fi"
    case french = "fr"
    case galician = "gl"
    case hebrew = "he"
    case hindi = "hi"
    case croatian = "hr"
    case hungarian = "hu"
    case indonesian = "id"
    case italian = "it"
    case japanese = "ja"
    case kazakh = "kk"
    case korean = "ko"
    case lithuanian = "lt"
    case latvian = "lv"
    case malay = "ms"
    case norwegianBokmal = "nb"
    case dutch = "nl"
    case polish = "pl"
    case portuguese = "pt"
    case brazilianPortuguese = "pt-BR"
    case romanian = "ro"
    case russian = "ru"
    case slovak = "sk"
    case slovenian = "sl"
    case serbianLatin = "sr-Latn"
    case swedish = "sv"
    case thai = "th"
    case turkish = "tr"
    case ukrainian = "uk"
    case vietnamese = "vi"
    case simplifiedChinese = "zh-Hans"
    case traditionalChinese = "zh-Hant"

    /// The best supported language for a BCP 47 tag such as `fr-CA`, `pt-PT`, `zh-TW` or `sr-Cyrl-RS`, or nil.
    ///
    /// An exact tag wins (case-insensitively); then the script or region picks a variant (`zh-TW` → `zh-Hant`,
    /// `pt-BR` → `pt-BR`, any other `pt-…` → `pt`); then the primary language subtag, with its older synonyms
    /// (`iw` → `he`, `in` → `id`, `no`/`nn` → `nb`).
    public init?(tag: String) {
        let subtags = tag.split(separator: "-", omittingEmptySubsequences: false).prefix(4).map { $0.lowercased() }
        guard let primary = subtags.first, (2...3).contains(primary.count), primary.allSatisfy(\.isASCIILetter) else { return nil }
        if let exact = Self.allCases.first(where: { $0.rawValue.lowercased() == subtags.joined(separator: "-") }) {
            self = exact
            return
        }
        let rest = Set(subtags.dropFirst())
        switch primary {
        case "zh":
            self = rest.isDisjoint(with: ["hant", "tw", "hk", "mo"]) ? .simplifiedChinese : .traditionalChinese
        case "pt":
            self = rest.contains("br") ? .brazilianPortuguese : .portuguese
        case "sr": self = .serbianLatin
        case "iw": self = .hebrew
        case "in": self = .indonesian
        case "no", "nn": self = .norwegianBokmal
        default:
            guard let language = Self.allCases.first(where: { $0.rawValue == primary }) else { return nil }
            self = language
        }
    }

    /// Arabic and Hebrew are written right to left; pages set `dir` from this.
    public var isRightToLeft: Bool { self == .arabic || self == .hebrew }

    /// The HTML `dir` value.
    public var direction: String { isRightToLeft ? "rtl" : "ltr" }

    /// The language's name in itself, for the language menu (CLDR's names).
    public var autonym: String {
        switch self {
        case .arabic: "العربية"
        case .bulgarian: "български"
        case .catalan: "català"
        case .czech: "čeština"
        case .danish: "dansk"
        case .german: "Deutsch"
        case .greek: "Ελληνικά"
        case .english: "English"
        case .spanish: "español"
        case .estonian: "eesti"
        case .basque: "euskara"
        case .finnish: "suomi"
        case .french: "français"
        case .galician: "galego"
        case .hebrew: "עברית"
        case .hindi: "हिन्दी"
        case .croatian: "hrvatski"
        case .hungarian: "magyar"
        case .indonesian: "Indonesia"
        case .italian: "italiano"
        case .japanese: "日本語"
        case .kazakh: "қазақ тілі"
        case .korean: "한국어"
        case .lithuanian: "lietuvių"
        case .latvian: "latviešu"
        case .malay: "Melayu"
        case .norwegianBokmal: "norsk bokmål"
        case .dutch: "Nederlands"
        case .polish: "polski"
        case .portuguese: "português (Portugal)"
        case .brazilianPortuguese: "português (Brasil)"
        case .romanian: "română"
        case .russian: "русский"
        case .slovak: "slovenčina"
        case .slovenian: "slovenščina"
        case .serbianLatin: "srpski (latinica)"
        case .swedish: "svenska"
        case .thai: "ไทย"
        case .turkish: "Türkçe"
        case .ukrainian: "українська"
        case .vietnamese: "Tiếng Việt"
        case .simplifiedChinese: "中文（简体）"
        case .traditionalChinese: "中文（繁體）"
        }
    }
}

extension Character {
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}
