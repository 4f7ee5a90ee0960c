// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// How the release server is linked on Linux, to keep its resident memory small
/// (docs/operations.md#how-the-release-binary-is-linked): LLVM's linker lays out first the functions that
/// `scripts/link-order` saw the server run, packs the relative relocations, and exports none of the server's symbols
/// (`--static-swift-stdlib` would export all 56,000). It also binds every library function at start, so that the
/// table of their addresses is read-only from then on.
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(String(#filePath.dropLast("Package.swift".count)))Sources/sesame/startup.order",
            "-Xlinker", "--no-warn-symbol-ordering",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--no-export-dynamic",
            "-Xlinker", "-z", "-Xlinker", "relro", "-Xlinker", "-z", "-Xlinker", "now",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "sesame",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sesame", targets: ["sesame"]),
        .executable(name: "sesame-bench", targets: ["SesameBenchmarks"]),
        .executable(name: "sesame-fuzz", targets: ["SesameFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Debian's libargon2 (libargon2-dev), the reference Argon2 implementation.
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        // Debian's libldap (libldap-dev), OpenLDAP's client library, for directory writeback.
        .systemLibrary(name: "CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),
        // Debian's libqrencode (libqrencode-dev), for the authenticator app's QR code, drawn on the server.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // glibc's malloc.h, for the server's malloc tuning (mallopt).
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "SesameDirectory",
            dependencies: ["CLDAP", "SesameCore", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SesameCore",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA verification for passkeys (RS256), which Crypto leaves to its extras.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            // The message catalogues and country names, one JSON file per language (docs/localization.md).
            resources: [.copy("Localization/Messages"), .copy("Localization/Countries")],
            swiftSettings: swiftSettings
        ),
        // The password hasher the core's port names, on Debian's libargon2.
        .target(name: "SesameArgon2", dependencies: ["CArgon2", "SesameCore"], swiftSettings: swiftSettings),
        .target(
            name: "SesameStore",
            dependencies: [
                "SesameCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SesameDelivery",
            dependencies: [
                "SesameCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SesameWeb",
            dependencies: [
                "CQRencode",
                "SesameCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Views"), .copy("Public"), .copy("Localization/Messages")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "sesame",
            dependencies: [
                "CMalloc",
                "SesameArgon2",
                "SesameCore",
                "SesameDelivery",
                "SesameDirectory",
                "SesameStore",
                "SesameWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            exclude: ["startup.order"],
            swiftSettings: swiftSettings,
            linkerSettings: releaseLinkerSettings
        ),
        .executableTarget(
            name: "SesameBenchmarks",
            dependencies: [
                "SesameArgon2", "SesameCore", "SesameDelivery", "SesameDirectory", "SesameStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/SesameBenchmarks",
            swiftSettings: swiftSettings
        ),
        // The fuzz targets (docs/security.md#fuzzing): libFuzzer's driver when built with `-sanitize=fuzzer`
        // (scripts/fuzz), a replay of the seed corpus otherwise.
        .target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"),
        .executableTarget(
            name: "SesameFuzz",
            dependencies: [
                "CArgon2", "CFuzzDriver", "SesameArgon2", "SesameCore", "SesameDelivery", "SesameDirectory", "SesameTestSupport", "SesameWeb",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Fuzz/SesameFuzz",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SesameCoreTests",
            dependencies: [
                "CArgon2", "SesameArgon2", "SesameCore", "SesameTestSupport", .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            // Read from the source tree by CatalogueTests, not bundled.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SesameDirectoryTests",
            dependencies: [
                "SesameDirectory", "SesameCore", "SesameStore", "SesameDelivery", "SesameTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // What the test targets share: a local HTTP server standing in for an SMS provider, the test directories and
        // databases, a clock moved by hand, a seeded random source, cheap hashing.
        .target(
            name: "SesameTestSupport",
            dependencies: [
                "SesameArgon2", "SesameCore", "SesameDirectory", "SesameStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // The software authenticator signs with the keys passkeys use.
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/SesameTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SesameDeliveryTests",
            dependencies: [
                "SesameDelivery", "SesameCore", "SesameStore", "SesameTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SesameStoreTests",
            dependencies: [
                "SesameArgon2", "SesameStore", "SesameCore", "SesameTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SesameWebTests",
            dependencies: [
                "SesameArgon2", "SesameWeb", "SesameCore", "SesameStore", "SesameDelivery", "SesameDirectory", "SesameTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                // The pages' templates are checked against the library that rendered them before (PageTemplateTests).
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SesameCLITests",
            dependencies: [
                "sesame", "SesameArgon2", "SesameCore", "SesameDelivery", "SesameStore", "SesameDirectory", "SesameTestSupport", "SesameWeb",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
