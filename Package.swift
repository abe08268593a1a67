// swift-tools-version:6.1
import PackageDescription

// The pipeline, one target per stage; imports flow left to right:
//   CLapack ─▶ Metrics ─┐
//   Checkpoint ─────────┴▶ Analysis ─▶ Store ─▶ Daemon ─▶ wwmon (CLI)
let package = Package(
    name: "wwmon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wwmon", targets: ["wwmon"]),
        .executable(name: "store-scale", targets: ["StoreScale"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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
        // Glue: a checkpoint's tensors -> layer plans -> metrics on a bounded pool -> a report.
        .target(name: "Analysis", dependencies: [
            "Checkpoint", "Metrics",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // SQLite history (GRDB).
        .target(name: "Store", dependencies: [
            "Checkpoint", "Metrics", "Analysis",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Alert rules over metric series, firing/resolved lifecycle, hook processes.
        .target(name: "Alerts", dependencies: [
            "Metrics", "Store",
            .product(name: "GRDB", package: "GRDB.swift"),
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
        ]),
        .executableTarget(name: "wwmon", dependencies: [
            "Checkpoint", "Metrics", "Analysis", "Store", "Daemon", "Alerts",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Shared by tests, benchmarks and the example trainer: repository paths, the committed
        // WeightWatcher reference fixtures, a seeded PRNG. Foundation only; not part of wwmon.
        .target(name: "TestSupport"),

        // Store scale benchmark (bench/store-scale.sh); not a test.
        .executableTarget(name: "StoreScale", dependencies: ["Store", "Analysis", "Metrics"],
                          path: "Benchmarks/StoreScale"),
        // Stands in for a training job in the README's demo (writes a series of checkpoints).
        .executableTarget(name: "wwmon-example-trainer", dependencies: ["TestSupport"]),
        // Benchmark yardstick (bench/run.sh): dsyrk + dsyevd of given shapes, timed alone.
        .executableTarget(name: "lapack-floor", dependencies: ["CLapack", "TestSupport"], path: "Benchmarks/LapackFloor"),

        .testTarget(name: "CheckpointTests", dependencies: ["TestSupport", "Checkpoint"]),
        .testTarget(name: "MetricsTests", dependencies: ["TestSupport", "Metrics", "CLapack"]),
        .testTarget(name: "AnalysisTests", dependencies: ["TestSupport", "Analysis", "Checkpoint", "Metrics"]),
        .testTarget(name: "StoreTests", dependencies: ["TestSupport", "Store", "Metrics", "Analysis"]),
        .testTarget(name: "AlertsTests", dependencies: ["TestSupport", "Alerts", "Metrics", "Store", "Analysis"]),
        .testTarget(name: "DaemonTests", dependencies: ["TestSupport", "Daemon", "Store", "Checkpoint"]),
        // Runs the built `wwmon` binary as a process.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "wwmon", "Store", "Analysis", "Metrics", "Alerts"]),
    ]
)
