// The Swift runtime's own idle cost, the floor for bench/daemon_idle.py: a process whose only
// work is one long Task.sleep, as the daemon's main loop is between its rare deadlines.
// Built by daemon-idle.sh with `swiftc -O -parse-as-library`.
@main struct IdleFloor {
    static func main() async throws {
        try await Task.sleep(until: .now + .seconds(3600), clock: .continuous)
    }
}
