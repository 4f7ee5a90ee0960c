/// A value that is stored and exchanged as one string and validated when it is read back, so that a decoded value is
/// always one the parser would have accepted.
public protocol TextCodable: Codable {
    init(codableText: String) throws
    var codableText: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(codableText: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(codableText)
    }
}

/// Why a stored identifier could not be read back.
public struct UnknownIdentifier: Error, CustomStringConvertible {
    public let description: String
}
