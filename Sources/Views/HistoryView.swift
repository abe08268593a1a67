import Foundation
import Store

/// `wwmon history --json` element and `GET /api/v1/runs/RUN/history`: `run, step, epoch,
/// time, layer, metric, value` (layer null for summary series) plus the point's status.
public struct HistoryView: Sendable {
    public var run: String
    public var layer: String?
    public var metric: String
    public var point: SeriesPoint
    /// RFC 3339 of `point.time`, formatted once per checkpoint (series share checkpoints).
    public var time: String

    /// Keys sorted, as every other machine output.
    public var json: FlatJSON {
        FlatJSON(fields: [
            ("checkpoint_id", .int(Int(point.checkpointID))), ("epoch", .number(point.epoch)),
            ("layer", .optional(layer)), ("metric", .string(metric)), ("run", .string(run)),
            ("status", .string(point.status)), ("step", .int(point.step)),
            ("time", .string(time)), ("value", .number(point.value)),
        ])
    }

    /// Every point of `series`, series after series.
    public static func rows(run: String, _ series: [Series]) -> [HistoryView] {
        var times: [Int64: String] = [:]
        return series.flatMap { s in
            s.points.map { p in
                let t = times[p.checkpointID] ?? RFC3339.string(p.time)
                times[p.checkpointID] = t
                return HistoryView(run: run, layer: s.layer, metric: s.metric, point: p, time: t)
            }
        }
    }

    public static func json(run: String, _ series: [Series]) -> String { FlatJSON.array(rows(run: run, series).map(\.json)) }
}
