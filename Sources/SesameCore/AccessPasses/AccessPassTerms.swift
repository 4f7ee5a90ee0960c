import Foundation

/// What an administrator chooses when issuing a pass, within Entra's bounds (docs/behaviour.md#temporary-access-pass):
/// a lifetime of 10 minutes to 24 hours, 8 to 48 characters, single use unless said otherwise.
public struct AccessPassTerms: Sendable, Hashable {
    public static let lifetimes: ClosedRange<TimeInterval> = 10 * 60...24 * 3_600
    public static let lengths: ClosedRange<Int> = 8...48

    public var lifetime: TimeInterval
    public var length: Int
    public var singleUse: Bool

    /// One hour, 12 characters (about 59 bits), single use.
    public init(lifetime: TimeInterval = 3_600, length: Int = 12, singleUse: Bool = true) {
        self.lifetime = lifetime
        self.length = length
        self.singleUse = singleUse
    }

    /// The terms' field that is out of bounds, as a ``ValidationError`` the pages and the API show.
    func validate() throws(ValidationError) {
        guard Self.lifetimes.contains(lifetime) else {
            throw ValidationError("field.range", ["min": String(Int(Self.lifetimes.lowerBound) / 60), "max": String(Int(Self.lifetimes.upperBound) / 60)], field: "lifetime")
        }
        guard Self.lengths.contains(length) else {
            throw ValidationError("field.range", ["min": String(Self.lengths.lowerBound), "max": String(Self.lengths.upperBound)], field: "length")
        }
    }
}
