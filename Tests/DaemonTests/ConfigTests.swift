import Foundation
import Testing
import Alerts
import Store
@testable import Daemon

@Suite("Config: TOML -> typed settings, bad keys named")
struct ConfigTests {
    /// The shipped example is the documentation, so it must parse and mean what it says.
    @Test func shippedExampleParses() throws {
        let path = repoRoot.appendingPathComponent("config/wwmon.toml").path
        let c = try DaemonConfig.load(path: path)
        #expect(c.store.path == "/var/lib/wwmon/wwmon.db")
        #expect(c.watches.count == 3)        // the third is the README demo's folder
        #expect(c.watches[2].path == "/tmp/wwmon-demo/experiments" && c.watches[2].runsInSubdirectories)
        #expect(c.watches[0].path == "/data/experiments/bert-lr3e-4")
        #expect(c.watches[0].runName == "bert-lr3e-4")
        #expect(c.watches[0].settleSeconds == 5)
        #expect(c.watches[0].mode == .auto)
        #expect(c.watches[1].runsInSubdirectories)
        #expect(c.watches[1].settleSeconds == 10)
        #expect(c.analysis.concurrency == 1)
        #expect(c.alerts.global.repeatInterval == 4 * 3600)
        #expect(c.alerts.global.driftSigma == 3.0)
        #expect(c.alerts.thresholds(for: "bert-lr3e-4").alphaMax == 7.0)
        #expect(c.alerts.thresholds(for: "other").alphaMax == 6.0)
        #expect(c.hooks.first?.events?.contains("analysis_failed") == true)
        #expect(c.hooks.first?.command == ["/usr/bin/logger", "-t", "wwmon-alert"])
        #expect(c.store.spectra == SpectrumRetention(keepLast: 20, every: 10))
        #expect(c.http == HTTPSettings(listen: "127.0.0.1:9108", layerMetrics: true))
    }

    @Test("[store] esd and [http]: defaults, off, and a bad listen address named by key")
    func spectraAndHTTPKeys() throws {
        let base = "[[watch]]\npath = \"/data/a\"\n"
        let d = try DaemonConfig.parse(base)
        #expect(d.store.spectra == SpectrumRetention() && d.http.listen == nil)
        let off = try DaemonConfig.parse("[store]\nesd = false\n" + base)
        #expect(off.store.spectra == nil)
        let tuned = try DaemonConfig.parse("[store]\nesd_keep_last = 5\nesd_every = 3\n[http]\nlisten = \"[::1]:0\"\nlayer_metrics = false\n" + base)
        #expect(tuned.store.spectra == SpectrumRetention(keepLast: 5, every: 3))
        #expect(tuned.http == HTTPSettings(listen: "[::1]:0", layerMetrics: false))
        do { _ = try DaemonConfig.parse("[http]\nlisten = \"localhost\"\n" + base); Issue.record("accepted a listen without port") }
        catch { #expect(error.key == "http.listen", "\(error)") }
        do { _ = try DaemonConfig.parse("[store]\nesd_every = 0\n" + base); Issue.record("accepted esd_every = 0") }
        catch { #expect(error.key == "store.esd_every", "\(error)") }
    }

    @Test func minimalConfigTakesDefaults() throws {
        let c = try DaemonConfig.parse("""
        [[watch]]
        path = "/data/run-a/"
        """)
        #expect(c.store.path == nil)
        #expect(c.watches[0].path == "/data/run-a")
        #expect(c.watches[0].runName == "run-a")
        #expect(c.watches[0].patterns == WatchSettings.defaultPatterns)
        #expect(c.analysis == AnalysisSettings())
        #expect(c.alerts == RuleSettings())
        #expect(c.hooks.isEmpty)
    }

    @Test func durationsAcceptNumbersAndUnits() throws {
        #expect(parseDuration("90s") == 90)
        #expect(parseDuration("30m") == 1800)
        #expect(parseDuration("1d") == 86400)
        #expect(parseDuration("12") == 12)
        #expect(parseDuration("soon") == nil)
        #expect(parseDuration("-3h") == nil)
        let c = try DaemonConfig.parse("[[watch]]\npath = \"/x\"\n[alerts]\nrepeat_interval = 120\n")
        #expect(c.alerts.global.repeatInterval == 120)
    }

    /// Each bad input names the key (as spelled in the file) and the problem.
    @Test(arguments: [
        ("", "watch", "at least one"),
        ("[[watch]]\nsettle_seconds = 3\n", "watch[0].path", "required"),
        ("[[watch]]\npath = \"relative/dir\"\n", "watch[0].path", "absolute"),
        ("[[watch]]\npath = \"/a\"\n[[watch]]\npath = \"/b\"\nmode = \"fast\"\n", "watch[1].mode", "auto, inotify, poll"),
        ("[[watch]]\npath = \"/a\"\nsettle_seconds = \"5\"\n", "watch[0].settle_seconds", "number"),
        ("[[watch]]\npath = \"/a\"\nsettle_seconds = -1\n", "watch[0].settle_seconds", "at least"),
        ("[[watch]]\npath = \"/a\"\nrun = \"r\"\nruns_in_subdirectories = true\n", "watch[0].run", "runs_in_subdirectories"),
        ("[[watch]]\npath = \"/a/r\"\n[[watch]]\npath = \"/b/r\"\n", "watch[1].run", "already used"),
        ("[[watch]]\npath = \"/a\"\nsettle_second = 5\n", "watch[0].settle_second", "unknown key"),
        ("[[watch]]\npath = \"/a\"\n[analysis]\nconcurrency = 0\n", "analysis.concurrency", "at least 1"),
        ("[[watch]]\npath = \"/a\"\n[alerts]\nalpha_min = 7.0\n", "alerts.alpha_min", "below alpha_max"),
        ("[[watch]]\npath = \"/a\"\n[alerts]\nrepeat_interval = \"often\"\n", "alerts.repeat_interval", "duration"),
        ("[[watch]]\npath = \"/a\"\n[alerts.runs.r1]\nalpha_max = 1.0\n", "alerts.runs.r1", "below alpha_max"),
        ("[[watch]]\npath = \"/a\"\n[[hook]]\nname = \"h\"\ncommand = \"curl x\"\n", "hook[0].command", "argv array"),
        ("[[watch]]\npath = \"/a\"\n[[hook]]\nname = \"h\"\ncommand = []\n", "hook[0].command", "required"),
        ("[[watch]]\npath = \"/a\"\n[[hook]]\nname = \"h\"\ncommand = [\"/bin/true\"]\nevents = [\"boom\"]\n", "hook[0].events", "unknown event"),
        ("[[watch]]\npath = \"/a\"\n[[hook]]\nname = \"h\"\ncommand = [\"/bin/true\"]\n[[hook]]\nname = \"h\"\ncommand = [\"/bin/true\"]\n", "hook[1].name", "duplicate"),
        ("[store]\npath = 3\n[[watch]]\npath = \"/a\"\n", "store.path", "string"),
        ("[[watch]]\npath = \"/a\"\n[analysis]\nfix_fingers = \"xmin_fit\"\n", "analysis.fix_fingers", "clip_xmax"),
        ("[[watch]]\npath = \"/a\"\nlayers = \"(attn\"\n", "watch[0].layers", "not a valid regular expression"),
        ("[[watch]]\npath = \"/a\"\n[analysis]\nlayer_ids = [1, -2]\n", "analysis.layer_ids", "mix"),
        ("[[watch]]\npath = \"/a\"\n[analysis]\npool = false\nconv = \"operator\"\n", "analysis.conv", "pool = false"),
        ("[[watch]]\npath = \"/a\"\n[analysis]\nconv = \"fft\"\n", "analysis.conv", "pooled, slices, operator"),
        ("watch = 3\n", "watch", "array of tables"),
    ])
    func badConfigNamesKeyAndProblem(toml: String, key: String, problem: String) {
        do {
            _ = try DaemonConfig.parse(toml, file: "/etc/wwmon/test.toml")
            Issue.record("accepted bad config: \(toml)")
        } catch {
            #expect(error.key == key, "\(error)")
            #expect(error.problem.contains(problem), "\(error)")
            #expect(error.description.hasPrefix("/etc/wwmon/test.toml: "))
        }
    }

    /// Issue 13: WeightWatcher's options in [analysis], overridden key by key in a [[watch]].
    @Test func weightWatcherOptionsGlobalAndPerWatch() throws {
        let c = try DaemonConfig.parse("""
        [analysis]
        fix_fingers = "clip_xmax"
        mp_fit = true
        min_evals = 20
        layers = "attention"
        [[watch]]
        path = "/a"
        [[watch]]
        path = "/b"
        fix_fingers = "none"
        conv = "operator"
        input_size = 16
        randomize = true
        seed = 7
        layer_ids = [-1]
        """)
        let a = c.analysis.ww.overridden(by: c.watches[0].ww).options(pool: true, concurrency: 1)
        #expect(a.ww.fixFingers == .clipXmax && a.ww.mpFit && a.ww.conv == .pooled && !a.ww.randomize)
        #expect(a.selection.minEvals == 20 && a.selection.include == "attention")
        let b = c.analysis.ww.overridden(by: c.watches[1].ww).options(pool: true, concurrency: 1)
        #expect(b.ww.fixFingers == nil && b.ww.mpFit && b.ww.conv == .operator && b.ww.inputSize == 16)
        #expect(b.ww.randomize && b.ww.seed == 7 && b.selection.layerIDs == [-1] && b.selection.minEvals == 20)
        #expect(b.recorded["seed"] == "7" && b.ww.tag == "conv=operator,input_size=16")
    }

    @Test func syntaxErrorGivesLine() {
        #expect(throws: ConfigError.self) { try DaemonConfig.parse("[[watch]\npath=1") }
        do { _ = try DaemonConfig.parse("[[watch]]\npath = \"/a\"\nmode = \n") } catch {
            #expect(error.problem.contains("line 3"), "\(error)")
        }
    }

    @Test func missingFileIsNamed() {
        do { _ = try DaemonConfig.load(path: "/nonexistent/wwmon.toml") } catch {
            #expect(error.file == "/nonexistent/wwmon.toml")
            #expect(error.problem.contains("cannot be read"))
        }
    }
}

/// Issue 10, point 3 and 9: values that once passed `--check-config` and then crashed the
/// daemon ("Overflow in multiplication"), and watch paths that were silently merged or misread.
@Suite("Config: sane ranges, distinct watch paths")
struct ConfigLimitTests {
    static func rejected(_ toml: String) -> ConfigError? {
        do { _ = try DaemonConfig.parse(toml); return nil } catch { return error }
    }

    /// Every duration key refuses 1e30 s (and anything over 30 days), naming the key.
    @Test(arguments: [
        ("[[watch]]\npath = \"/w\"\nsettle_seconds = 1e30", "watch[0].settle_seconds"),
        ("[[watch]]\npath = \"/w\"\npoll_interval_seconds = 1e30", "watch[0].poll_interval_seconds"),
        ("[[watch]]\npath = \"/w\"\nincomplete_error_seconds = 1e30", "watch[0].incomplete_error_seconds"),
        ("[daemon]\nrescan_interval_seconds = 1e30\n[[watch]]\npath = \"/w\"", "daemon.rescan_interval_seconds"),
        ("[daemon]\nstop_timeout_seconds = 1e30\n[[watch]]\npath = \"/w\"", "daemon.stop_timeout_seconds"),
        ("[analysis]\ntime_limit_seconds = 1e30\n[[watch]]\npath = \"/w\"", "analysis.time_limit_seconds"),
        ("[alerts]\nrepeat_interval = 1e30\n[[watch]]\npath = \"/w\"", "alerts.repeat_interval"),
        ("[alerts]\nrepeat_interval = \"31d\"\n[[watch]]\npath = \"/w\"", "alerts.repeat_interval"),
        ("[[watch]]\npath = \"/w\"\n[[hook]]\nname = \"h\"\ncommand = [\"/bin/true\"]\ntimeout_seconds = 1e30", "hook[0].timeout_seconds"),
    ])
    func hugeDurationsAreRejected(toml: String, key: String) {
        let e = Self.rejected(toml)
        #expect(e?.key == key, "\(String(describing: e))")
        #expect(e?.problem.contains("at most 30 days") == true, "\(String(describing: e))")
    }

    @Test func thirtyDaysIsStillAccepted() throws {
        let c = try DaemonConfig.parse("[daemon]\nrescan_interval_seconds = 2592000\n[[watch]]\npath = \"/w\"")
        #expect(c.daemon.rescanIntervalSeconds == 2_592_000)
    }

    @Test func countsHaveUpperBounds() {
        #expect(Self.rejected("[analysis]\nconcurrency = 100000000\n[[watch]]\npath = \"/w\"")?.key == "analysis.concurrency")
        #expect(Self.rejected("[[watch]]\npath = \"/w\"\nmax_depth = 100000")?.key == "watch[0].max_depth")
        #expect(Self.rejected("[analysis]\nconcurrency = 0\n[[watch]]\npath = \"/w\"")?.key == "analysis.concurrency")
    }

    /// `/x` and `/x/` were merged silently; now the error names both entries.
    @Test func duplicateWatchPathsNameBoth() {
        let e = Self.rejected("[[watch]]\npath = \"/x\"\nrun = \"a\"\n[[watch]]\npath = \"/x/\"\nrun = \"b\"")
        #expect(e?.key == "watch[1].path")
        #expect(e?.problem.contains("watch[0].path") == true && e?.problem.contains("\"/x\"") == true, "\(String(describing: e))")
    }

    @Test func nestedWatchPathsAreAnError() {
        let e = Self.rejected("[[watch]]\npath = \"/x\"\n[[watch]]\npath = \"/x/a/b\"")
        #expect(e?.problem.contains("nest") == true, "\(String(describing: e))")
        // A run folder of a folder of runs may have its own settings (config/wwmon.toml does).
        #expect(Self.rejected("[[watch]]\npath = \"/x\"\nruns_in_subdirectories = true\n[[watch]]\npath = \"/x/a\"") == nil)
    }

    /// Was reported as "does not exist yet".
    @Test func aWatchPathThatIsAFileIsAnError() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path + "/not-a-dir"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let e = Self.rejected("[[watch]]\npath = \"\(file)\"")
        #expect(e?.problem.contains("is a file, not a directory") == true, "\(String(describing: e))")
    }

    /// Conversions never trap, whatever a value built in code holds.
    @Test func durationConversionClamps() {
        #expect(Duration.seconds(clamping: 1e30) == .seconds(30 * 86_400))
        #expect(Duration.seconds(clamping: .nan) == .zero)
        #expect(Duration.seconds(clamping: -5) == .zero)
        #expect(Duration.seconds(clamping: 1.5) == .milliseconds(1500))
    }
}
