import ArgumentParser
import Foundation
import Views
import Store

/// `wwmon note RUN --step S name=value…`: attaches training metrics that live outside the
/// checkpoint (an eval job's accuracy, a loss from the training log) to a recorded checkpoint,
/// so they show beside ⟨alpha⟩ in `checkpoints`, `history --summary` and `export`.
struct NoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Attach training metrics (eval_loss=0.41 …) to a recorded checkpoint.",
        discussion: """
        Creates no checkpoint: RUN and the step must already be recorded (exit 1 otherwise). A \
        noted value replaces an earlier note of the same name and is never overwritten by what \
        the checkpoint's own files say (trainer_state.json's log_history, ...). Names: letters, \
        digits and _ . / -; values: numbers (nan allowed). A training job's hook can call it after \
        each evaluation.
        """)

    @Argument(help: ArgumentHelp("Run name (see `wwmon runs`).", valueName: "run")) var runName: String
    @Option(name: .long, help: "Step of the recorded checkpoint (see `wwmon checkpoints RUN`).") var step: Int
    @Argument(help: ArgumentHelp("Metrics to attach.", valueName: "name=value")) var metrics: [String]
    @Flag(name: .long, help: "Print the checkpoint's training metrics afterwards as one JSON object.") var json = false
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if metrics.isEmpty { throw ValidationError("Give at least one name=value.") }
        _ = try parsed()
    }

    /// name → value; a usage error names the argument that is not `name=number`.
    func parsed() throws -> [String: Double] {
        var out: [String: Double] = [:]
        for m in metrics {
            guard let eq = m.firstIndex(of: "=") else {
                throw ValidationError("\"\(m)\" is not name=value (e.g. eval_loss=0.41).")
            }
            let name = String(m[..<eq]), text = String(m[m.index(after: eq)...])
            guard TrainingMetric.isValidName(name) else {
                throw ValidationError("\"\(name)\" is not a valid metric name (letters, digits and _ . / - only).")
            }
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), !v.isInfinite else {
                throw ValidationError("The value of \(name), \"\(text)\", is not a finite number.")
            }
            out[name] = v
        }
        return out
    }

    func run() throws {
        let store = try database.writer()
        let record = try store.note(run: runName, step: step, metrics: parsed())
        if json {
            struct Out: Encodable {
                var run: String; var step: Int; var training: CheckpointView.Training
            }
            emit(String(decoding: try MachineJSON.encoder(pretty: false).encode(
                Out(run: record.run, step: record.step, training: .init(values: record.training))), as: UTF8.self) + "\n")
        } else {
            let shown = record.training.sorted { $0.key < $1.key }.map { "\($0.key)=\(Text.exact($0.value))" }
            emit("run \(record.run) step \(record.step): \(shown.joined(separator: " "))\n")
        }
    }
}
