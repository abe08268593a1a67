import Store

/// The pages as functions of the store, for callers outside the server (the scale benchmark
/// renders them without HTTP to time the server-side work alone).
public enum DashboardPages {
    public static func runs(_ store: HistoryStore) throws -> String { try RunsPage.render(store: store) }
    public static func run(_ store: HistoryStore, run: String) throws -> String { try RunPage.render(store: store, run: run) }
    public static func layer(_ store: HistoryStore, run: String, layer: String, step: Int? = nil) throws -> String {
        try LayerPage.render(store: store, run: run, layer: layer, step: step, vs: nil)
    }
}
