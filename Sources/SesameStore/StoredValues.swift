import SesameCore

/// Values read back from either database. They were validated on the way in; one that no longer parses (a numbering
/// plan changed) reads as absent rather than failing the whole user.
enum StoredValues {
    static func phone(_ value: String?) -> PhoneNumber? {
        value.flatMap { try? PhoneNumber(international: $0) }
    }

    static func email(_ value: String?) -> EmailAddress? {
        value.flatMap { try? EmailAddress($0) }
    }
}
