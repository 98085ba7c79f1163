// swift-tools-version:6.2
import PackageDescription

/// Every module holds the same rules: Swift 6 strict concurrency and explicit `any`.
let sharedSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "flotilla",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flotilla", targets: ["flotilla"]),
        .library(name: "FlotillaHub", targets: ["FlotillaHub"]),
        .library(name: "FlotillaAgent", targets: ["FlotillaAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        // C shim: makes libmosquitto importable, nothing else.
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        // C shim: makes the system libyaml importable (its event parser, for FlotillaSource).
        // Not `CYAML`: Yams vendors libyaml as `CYaml`, and the two names collide on a
        // case-insensitive file system. Where Yams is linked too, its static copy (0.2.5, the
        // same structs) is the one that answers libyaml's symbols.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Safe Swift API over libmosquitto. Knows nothing of bundles.
        .target(
            name: "FlotillaMQTT",
            dependencies: [
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        // Where work runs: every core for pure work (ParallelMap), one bounded pool for blocking work.
        .target(
            name: "FlotillaConcurrency",
            dependencies: [.product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: sharedSettings
        ),
        // The domain: objects, selectors, policies, placement, templates, cleaning, bundles. No I/O.
        .target(
            name: "FlotillaModel",
            dependencies: [
                "FlotillaConcurrency",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: sharedSettings
        ),
        // The wire: envelopes, signing keys, status reports, acks, presence, topics, and the
        // protocol's bounds. What a third party implements from docs/protocol.md.
        .target(
            name: "FlotillaWire",
            dependencies: [
                "FlotillaModel", "FlotillaConcurrency",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: sharedSettings
        ),
        // Free ports and synthetic fleets, for `flotilla bench` and the tests alike.
        .target(
            name: "FlotillaFixtures",
            dependencies: ["FlotillaModel"],
            swiftSettings: sharedSettings
        ),
        // Objects as text: the one YAML writer (agent files, `plan -o yaml`) and what `plan` prints.
        .target(
            name: "FlotillaRendering",
            dependencies: [
                "FlotillaModel", "FlotillaWire",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: sharedSettings
        ),
        // Writes a locked-down mosquitto directory: config, ACL, password file, per-client credentials.
        .target(
            name: "FlotillaBrokerSetup",
            dependencies: ["FlotillaModel", "FlotillaWire"],
            swiftSettings: sharedSettings
        ),
        // Reads a GitOps directory of YAML into model objects, with file and line.
        .target(
            name: "FlotillaSource",
            dependencies: ["CLibYAML", "FlotillaModel"],
            swiftSettings: sharedSettings
        ),
        // SQLite state of the hub and of an agent (GRDB).
        .target(
            name: "FlotillaStore",
            dependencies: [
                "FlotillaModel", "FlotillaWire",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "FlotillaHub",
            dependencies: [
                "FlotillaConcurrency", "FlotillaMQTT", "FlotillaModel", "FlotillaWire", "FlotillaSource", "FlotillaStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: sharedSettings
        ),
        .target(
            name: "FlotillaAgent",
            dependencies: [
                "FlotillaConcurrency", "FlotillaMQTT", "FlotillaModel", "FlotillaWire", "FlotillaStore", "FlotillaRendering",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        // `flotilla sim`: N simulated spokes speaking the real protocol over one epoll thread.
        .target(
            name: "FlotillaSim",
            dependencies: [
                "FlotillaConcurrency", "FlotillaMQTT", "FlotillaModel", "FlotillaWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        // Benchmarks behind `flotilla bench`: figures against the raw limit in the same run.
        .target(
            name: "FlotillaBench",
            dependencies: [
                "CLibYAML", "FlotillaFixtures", "FlotillaHub", "FlotillaMQTT", "FlotillaModel", "FlotillaSource", "FlotillaWire",
                "FlotillaStore", "FlotillaSim",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        .executableTarget(
            name: "flotilla",
            dependencies: [
                "FlotillaHub", "FlotillaAgent", "FlotillaModel", "FlotillaSource", "FlotillaBench", "FlotillaBrokerSetup",
                "FlotillaStore", "FlotillaMQTT", "FlotillaWire", "FlotillaRendering", "FlotillaSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: sharedSettings
        ),
        // Reusable test fixtures: a real mosquitto on a free loopback port, temp dirs, a process runner.
        .target(
            name: "FlotillaTestSupport",
            dependencies: [
                "FlotillaFixtures", "FlotillaMQTT", "FlotillaHub", "FlotillaAgent", "FlotillaModel", "FlotillaWire", "FlotillaBrokerSetup", "FlotillaStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "FlotillaModelTests",
            dependencies: [
                "FlotillaFixtures", "FlotillaModel", "FlotillaWire", "FlotillaRendering", "FlotillaSource",
                // Only for YAMLScalarTests: the old Yams path is the reference the resolver is checked against.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "FlotillaStoreTests",
            dependencies: ["FlotillaFixtures", "FlotillaStore", "FlotillaModel", "FlotillaWire"],
            swiftSettings: sharedSettings
        ),
        .testTarget(
            name: "FlotillaIntegrationTests",
            dependencies: [
                "FlotillaTestSupport", "FlotillaMQTT", "FlotillaHub", "FlotillaAgent",
                "FlotillaModel", "FlotillaWire", "FlotillaStore", "FlotillaSource", "FlotillaBrokerSetup", "FlotillaBench",
                "FlotillaSim",
            ],
            swiftSettings: sharedSettings
        ),
    ]
)
