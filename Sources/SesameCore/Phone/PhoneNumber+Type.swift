/// What the numbering plan says a number is, which decides whether codes may be texted or called to it
/// (docs/security.md#toll-fraud).
extension PhoneNumber {
    /// The plans of the calling code: several regions share +1 and +7, and a number is what any of them lists it as.
    private var plans: [NumberingPlan] { NumberingPlan.byCallingCode[callingCode] ?? [] }

    /// Listed as a mobile number. In the +1 plans a number is often listed as both mobile and fixed-line.
    public var isMobile: Bool { plans.contains { $0.listsAsMobile(nationalNumber) } }

    /// Listed as a fixed-line (geographic landline) number.
    public var isFixedLine: Bool { plans.contains { $0.listsAsFixedLine(nationalNumber) } }

    /// A non-geographic service: freephone (+800), shared cost (+808), satellite (+870, +881), international networks
    /// (+882, +883), premium rate (+979). libphonenumber lists some of them as mobiles; they are billed as a service.
    public var isNonGeographic: Bool { plans.allSatisfy { $0.region == NumberingPlan.nonGeographicRegion } }
}
