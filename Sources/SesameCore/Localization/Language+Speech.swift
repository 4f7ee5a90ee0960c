extension Language {
    /// The tag a voice call's text-to-speech reads this language with (TwiML `<Say language=…>`), or nil where the
    /// usual engines (Amazon Polly's and Google's voices, which Twilio-compatible providers offer) have no voice:
    /// Croatian, Estonian, Kazakh and Slovenian (docs/localization.md#voice-calls).
    public var speechTag: String? {
        switch self {
        case .arabic: "ar-XA"
        case .bulgarian: "bg-BG"
        case .catalan: "ca-ES"
        case .czech: "cs-CZ"
        case .danish: "da-DK"
        case .german: "de-DE"
        case .greek: "el-GR"
        case .english: "en-US"
        case .spanish: "es-ES"
        case .basque: "eu-ES"
        case .finnish: "fi-FI"
        case .french: "fr-FR"
        case .galician: "gl-ES"
        case .hebrew: "he-IL"
        case .hindi: "hi-IN"
        case .hungarian: "hu-HU"
        case .indonesian: "id-ID"
        case .italian: "it-IT"
        case .japanese: "ja-JP"
        case .korean: "ko-KR"
        case .lithuanian: "lt-LT"
        case .latvian: "lv-LV"
        case .malay: "ms-MY"
        case .norwegianBokmal: "nb-NO"
        case .dutch: "nl-NL"
        case .polish: "pl-PL"
        case .portuguese: "pt-PT"
        case .brazilianPortuguese: "pt-BR"
        case .romanian: "ro-RO"
        case .russian: "ru-RU"
        case .slovak: "sk-SK"
        case .serbianLatin: "sr-RS"
        case .swedish: "sv-SE"
        case .thai: "th-TH"
        case .turkish: "tr-TR"
        case .ukrainian: "uk-UA"
        case .vietnamese: "vi-VN"
        case .simplifiedChinese: "cmn-CN"
        case .traditionalChinese: "cmn-TW"
        case .croatian, .estonian, .kazakh, .slovenian: nil
        }
    }

    /// The language a voice call speaks: this one where a voice reads it, else English, so that a call is never a
    /// text read by a voice of another language.
    public var spokenLanguage: Language { speechTag == nil ? .english : self }
}
