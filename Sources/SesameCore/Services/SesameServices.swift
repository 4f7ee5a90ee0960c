import Foundation

/// The core services a running server shares, wired once on the adapters by the composition root
/// (docs/architecture.md#composition): every request uses these same values, so the caches (policy, branding, the
/// directory's status) and the per-user turns are the instance's, not the request's.
public struct SesameServices: Sendable {
    public let store: any Store
    public let clock: any WallClock
    public let random: any RandomSource
    /// The installation's secret, for the web layer's signed cookie (docs/security.md#sessions).
    public let secret: ServerSecret
    /// Whether a directory keeps directory users' passwords (the policy's writeback knob depends on it).
    public let directoryConfigured: Bool

    /// The policy as this instance reads it, at most once a second.
    public let policies: PolicyCache
    public let policyChanges: PolicyService
    /// The logo as this instance reads it.
    public let branding: BrandingCache
    public let brandingChanges: BrandingService
    /// The directory's remembered status.
    public let directoryStatus: DirectoryMonitor
    /// Watches directory users' sessions for changes made in the directory.
    public let directorySessions: DirectorySessionCheck

    public let captcha: Captcha
    public let captchaGate: CaptchaGate
    public let resets: ResetService
    public let registrations: RegistrationService
    /// Passkeys: registration, the reset gate's and sign-in's checks, removal (docs/behaviour.md#passkeys).
    public let passkeys: PasskeyService
    public let signIns: SignInService
    public let passwordChanges: PasswordChangeService
    /// What administrators do to users, from the admin portal and the API alike.
    public let administration: UserAdministration
    public let accessPasses: AccessPassService
    public let imports: UserImport
    public let passwords: AccountPasswords
    public let reports: ReportService
    public let tokens: TokenService
    /// The notices' "This wasn't me" links, and what following one does (docs/behaviour.md#this-wasnt-me).
    public let reportLinks: ReportLinks
    /// How long one password hash took at start: the sign-in floor follows it (docs/security.md#enumeration).
    public let hashCost: Duration

    /// - Parameters:
    ///   - directoryBindLimit: when sign-in stops checking passwords against the directory
    ///     (docs/security.md#directory-lockout).
    ///   - directorySessionCheck: how often a directory user's session asks the directory whether the account
    ///     changed, in seconds.
    ///   - captchaBits: the CAPTCHA's proof-of-work difficulty (tests lower it).
    ///   - policies: the policy cache, when the caller keeps one of its own (tests set policies through it).
    ///   - publicURL: the address users reach Sesame at, which the notices' links start with.
    ///   - metrics: where resets, codes, throttle blocks and sign-ins are counted (docs/operations.md#metrics).
    public init(
        store: any Store, secret: ServerSecret, hasher: any PasswordHasher, clock: any WallClock, random: any RandomSource,
        outbox: any Outbox, publicURL: String, directory: (any Directory)? = nil, directoryBindLimit: DirectoryBindLimit = .standard,
        directorySessionCheck: TimeInterval = 300, captchaBits: Int = 14, policies: PolicyCache? = nil, metrics: SesameMetrics = .none
    ) async throws {
        self.store = store
        self.clock = clock
        self.random = random
        self.secret = secret
        directoryConfigured = directory != nil
        let policies = policies ?? PolicyCache(store: store)
        self.policies = policies
        policyChanges = PolicyService(store: store, clock: clock, cache: policies)
        branding = BrandingCache(store: store)
        brandingChanges = BrandingService(store: store, cache: branding, clock: clock)
        directoryStatus = DirectoryMonitor(directory: directory, clock: clock)
        directorySessions = DirectorySessionCheck(directory: directory, status: directoryStatus, clock: clock, interval: directorySessionCheck)
        captcha = Captcha(secret: secret, clock: clock, random: random, bits: captchaBits)
        captchaGate = CaptchaGate(captcha: captcha, store: store, clock: clock, metrics: metrics)
        let reportLinks = ReportLinks(
            store: store, secret: secret, random: random, clock: clock, outbox: outbox, publicURL: publicURL, policies: policies, metrics: metrics)
        self.reportLinks = reportLinks
        resets = ResetService(
            store: store, secret: secret, hasher: hasher, outbox: outbox, reportLinks: reportLinks, clock: clock, random: random, directory: directory,
            directoryStatus: directoryStatus, policies: policies, metrics: metrics, relyingParty: PasskeyRelyingParty(publicURL: publicURL))
        passkeys = resets.passkeys
        registrations = RegistrationService(
            store: store, secret: secret, hasher: hasher, outbox: outbox, reportLinks: reportLinks, clock: clock, random: random, policies: policies,
            metrics: metrics)
        // Unknown users' passwords are checked against a real hash, so that they cost the same work as known ones.
        let hashingStarted = ContinuousClock.now
        let dummyHash = try await hasher.hash("sesame: no such user")
        hashCost = ContinuousClock.now - hashingStarted
        signIns = SignInService(
            store: store, hasher: hasher, directory: directory, secret: secret, clock: clock, dummyHash: dummyHash, bindLimit: directoryBindLimit,
            captchaGate: captchaGate, metrics: metrics, passkeys: passkeys)
        passwordChanges = PasswordChangeService(
            store: store, hasher: hasher, directory: directory, signIns: signIns, reportLinks: reportLinks, clock: clock)
        administration = UserAdministration(store: store, hasher: hasher, clock: clock, outbox: outbox, reportLinks: reportLinks, directory: directory)
        accessPasses = AccessPassService(store: store, hasher: hasher, clock: clock, random: random, reportLinks: reportLinks, policies: policies)
        imports = UserImport(administration: administration, store: store)
        passwords = AccountPasswords(hasher: hasher, directory: directory, clock: clock)
        reports = ReportService(store: store)
        tokens = TokenService(store: store, clock: clock, random: random)
    }
}
