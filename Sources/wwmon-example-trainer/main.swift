import Foundation
import TestSupport

// wwmon-example-trainer DIR [--steps N] [--interval S] [--noise X]
//
// Stands in for a training job in the README's demo: writes a checkpoint every few seconds into
// DIR as `checkpoint-<step>/model.safetensors` (HF Trainer layout, written in place, the way
// current transformers saves), whose layers grow heavier-tailed as "training" goes on, so alpha
// falls over the series the way it does in real training. Deterministic (fixed seed).

/// The package's one seeded PRNG (Sources/TestSupport/SplitMix64.swift), with the trainer's own
/// draws: uniform on (0, 1) so log() stays finite, and Box–Muller normals from two such draws.
extension SplitMix64 {
    mutating func normalFromOpenUnits() -> Double {
        (-2 * log(openUnit())).squareRoot() * cos(2 * .pi * openUnit())
    }
}

struct Layer { var name: String; var rows: Int; var cols: Int }

let layers = [
    Layer(name: "encoder.0.attn.weight", rows: 128, cols: 128),
    Layer(name: "encoder.0.mlp.up.weight", rows: 256, cols: 128),
    Layer(name: "encoder.0.mlp.down.weight", rows: 128, cols: 256),
    Layer(name: "encoder.1.attn.weight", rows: 128, cols: 128),
    Layer(name: "encoder.1.mlp.up.weight", rows: 256, cols: 128),
    Layer(name: "encoder.1.mlp.down.weight", rows: 128, cols: 256),
    Layer(name: "head.weight", rows: 16, cols: 128),
]

/// Weights at `progress` ∈ [0, 1]: a Gaussian bulk plus a heavy-tailed (Pareto) part whose
/// weight grows with training; each layer learns at its own pace.
/// `jitter` ∈ [-1, 1] scales the heavy-tailed part up or down around that trend, the way the
/// alpha estimates of a real run wobble from save to save (`--noise`).
func weights(_ layer: Layer, index: Int, progress: Double, jitter: Double = 0) -> [Float] {
    var bulk = SplitMix64(state: UInt64(index) &* 7919 &+ 1)
    var tail = SplitMix64(state: UInt64(index) &* 104729 &+ 2)
    let pace = 0.6 + 0.15 * Double(index % 4)
    let mix = min(1, progress * pace * 1.6) * max(0, 1 + jitter)
    return (0..<(layer.rows * layer.cols)).map { _ in
        let g = bulk.normalFromOpenUnits() / Double(layer.cols).squareRoot()
        let sign: Double = tail.openUnit() < 0.5 ? -1 : 1
        let pareto = pow(tail.openUnit(), -1 / 1.5) - 1          // tail index 1.5
        return Float(g + mix * 0.02 * sign * pareto)
    }
}

/// `progress`: how far training is (the last save of the run is 1), so a longer run spreads
/// the same change over more saves instead of repeating the final weights.
func safetensors(progress: Double, save: Int = 0, noise: Double = 0) -> Data {
    var header = "{\"__metadata__\":{\"format\":\"pt\"}"
    var blobs = Data(), offset = 0
    for (i, l) in layers.enumerated().sorted(by: { $0.element.name < $1.element.name }) {
        var dice = SplitMix64(state: UInt64(save) &* 1_000_003 &+ UInt64(i))
        let w = weights(l, index: i, progress: progress, jitter: noise * (2 * dice.openUnit() - 1))
        let bytes = w.withUnsafeBufferPointer { Data(buffer: $0) }
        header += ",\"\(l.name)\":{\"dtype\":\"F32\",\"shape\":[\(l.rows),\(l.cols)],\"data_offsets\":[\(offset),\(offset + bytes.count)]}"
        blobs.append(bytes); offset += bytes.count
    }
    header += "}"
    while header.utf8.count % 8 != 0 { header += " " }
    var out = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(Data(header.utf8)); out.append(blobs)
    return out
}

/// (positional arguments, --steps, --interval, --noise)
func parse(_ argv: [String]) -> ([String], Int, Double, Double) {
    var rest: [String] = [], steps = 5, interval = 2.0, noise = 0.0
    var i = 0
    while i < argv.count {
        if argv[i] == "--steps", i + 1 < argv.count, let v = Int(argv[i + 1]) { steps = v; i += 2; continue }
        if argv[i] == "--interval", i + 1 < argv.count, let v = Double(argv[i + 1]) { interval = v; i += 2; continue }
        if argv[i] == "--noise", i + 1 < argv.count, let v = Double(argv[i + 1]) { noise = v; i += 2; continue }
        rest.append(argv[i]); i += 1
    }
    return (rest, steps, interval, noise)
}
let (positional, steps, interval, noise) = parse(Array(CommandLine.arguments.dropFirst()))
guard let dir = positional.first else {
    FileHandle.standardError.write(Data("usage: wwmon-example-trainer DIR [--steps N] [--interval SECONDS] [--noise 0..1]\n".utf8))
    exit(2)
}
let fm = FileManager.default
try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
for s in 1...max(1, steps) {
    let step = s * 200
    let folder = "\(dir)/checkpoint-\(step)"
    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    // Written in place in two halves, as a large save would be: the daemon must wait for it.
    let bytes = safetensors(progress: Double(s) / Double(max(5, steps)), save: s, noise: noise)
    let path = "\(folder)/model.safetensors"
    guard fm.createFile(atPath: path, contents: nil) else { fatalError("cannot create \(path)") }
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try h.write(contentsOf: bytes.prefix(bytes.count / 2))
    Thread.sleep(forTimeInterval: 0.3)
    try h.write(contentsOf: bytes.dropFirst(bytes.count / 2))
    try h.close()
    let state = "{\"global_step\": \(step), \"epoch\": \(Double(step) / 400)}"
    try Data(state.utf8).write(to: URL(fileURLWithPath: "\(folder)/trainer_state.json"))
    print("wrote \(folder)")
    if s < steps { Thread.sleep(forTimeInterval: interval) }
}
