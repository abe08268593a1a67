// swift-tools-version:6.1
import PackageDescription

// The pipeline, one target per stage; imports flow left to right:
//   CLapack ─▶ Metrics ─┐
//   Checkpoint ─────────┴▶ Analysis ─▶ Store ─▶ Alerts ─▶ Views ─▶ Web ─▶ wwmon (CLI)
//                                                    └──────▶ Daemon ──────▶ wwmon
//   Ranking (pure statistics of a sweep) ──────────────────────────────────▶ wwmon (CLI)
let package = Package(
    name: "wwmon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wwmon", targets: ["wwmon"]),
        .executable(name: "store-scale", targets: ["StoreScale"]),
        .executable(name: "dashboard-scale", targets: ["DashboardScale"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `wwmon serve`: HTTP server. Its traits are off: swift-configuration is not used.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // zlib for stored spectra (Store/Spectra).
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        // LAPACKE + CBLAS from Debian's liblapacke-dev / libopenblas-dev (one OpenBLAS instance).
        .systemLibrary(name: "CLapack", providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),
        // Checkpoint readers: bytes on disk -> tensor descriptors, read one at a time. Foundation
        // and zlib only.
        // zlib from Debian's zlib1g-dev, for np.savez_compressed members (Numpy/DeflatedEntry.swift).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Checkpoint", dependencies: ["CZlib"]),
        // WeightWatcher 0.7.7 metrics: arrays in, numbers out. No files, no clocks.
        .target(name: "Metrics", dependencies: ["CLapack"]),
        // Sweep comparison: rank correlations (scipy's definitions), groups, Simpson's paradox,
        // scatter SVG. Pure: values in, values out.
        .target(name: "Ranking"),
        // Glue: a checkpoint's tensors -> layer plans -> metrics on a bounded pool -> a report.
        .target(name: "Analysis", dependencies: [
            "Checkpoint", "Metrics",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // SQLite history (GRDB).
        .target(name: "Store", dependencies: [
            "Checkpoint", "Metrics", "Analysis",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "CompressNIO", package: "compress-nio"),
        ]),
        // Alert rules over metric series, firing/resolved lifecycle, hook processes. No GRDB:
        // the alerts, hook_runs and hook_outbox SQL lives in Store (HistoryStore+Alerts.swift).
        .target(name: "Alerts", dependencies: [
            "Metrics", "Store",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Subprocess", package: "swift-subprocess"),
        ]),
        // Watcher, scheduler, alerts, hooks, systemd integration.
        .target(name: "Daemon", dependencies: [
            "Checkpoint", "Metrics", "Analysis", "Store", "Alerts",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]),
        // The machine shapes of every query (`--json` and `/api/v1`): one encoder for both.
        .target(name: "Views", dependencies: ["Metrics", "Analysis", "Store", "Alerts", "Ranking"]),
        // `wwmon serve`: pages with inline SVG, the JSON API, Prometheus `/metrics`.
        .target(name: "Web", dependencies: [
            "Metrics", "Store", "Alerts", "Views", "Ranking",
            // swift-metrics' `Metrics` module would clash with ours; Hummingbird's copy is renamed.
            .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"]),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "wwmon", dependencies: [
            "Checkpoint", "Metrics", "Analysis", "Store", "Daemon", "Alerts", "Views", "Web", "Ranking",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // Shared by tests, benchmarks and the example trainer: repository paths, the committed
        // WeightWatcher reference fixtures, a seeded PRNG. Foundation only; not part of wwmon.
        .target(name: "TestSupport"),

        // Store scale benchmark (bench/store-scale.sh); not a test.
        .executableTarget(name: "StoreScale", dependencies: ["Store", "Analysis", "Metrics"],
                          path: "Benchmarks/StoreScale"),
        // Dashboard scale benchmark (bench/dashboard-scale.sh); not a test.
        .executableTarget(name: "DashboardScale", dependencies: ["Web", "Store", "Analysis", "Metrics"],
                          path: "Benchmarks/DashboardScale"),
        // Stands in for a training job in the README's demo (writes a series of checkpoints).
        .executableTarget(name: "wwmon-example-trainer", dependencies: ["TestSupport"]),
        // Benchmark yardstick (bench/run.sh): dsyrk + dsyevd of given shapes, timed alone.
        .executableTarget(name: "lapack-floor", dependencies: ["CLapack", "TestSupport"], path: "Benchmarks/LapackFloor"),

        .testTarget(name: "CheckpointTests", dependencies: ["TestSupport", "Checkpoint"]),
        .testTarget(name: "MetricsTests", dependencies: ["TestSupport", "Metrics", "CLapack"]),
        .testTarget(name: "RankingTests", dependencies: ["Ranking"]),
        .testTarget(name: "AnalysisTests", dependencies: ["TestSupport", "Analysis", "Checkpoint", "Metrics"]),
        .testTarget(name: "StoreTests", dependencies: ["TestSupport", "Store", "Metrics", "Analysis"]),
        .testTarget(name: "AlertsTests", dependencies: ["TestSupport", "Alerts", "Metrics", "Store", "Analysis"]),
        .testTarget(name: "DaemonTests", dependencies: ["TestSupport", "Daemon", "Store", "Checkpoint"]),
        .testTarget(name: "WebTests", dependencies: ["TestSupport", "Web", "Views", "Store", "Metrics", "Analysis", "Ranking"]),
        // Runs the built `wwmon` binary as a process.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "wwmon", "Store", "Analysis", "Metrics", "Alerts", "Views"]),
    ]
)
