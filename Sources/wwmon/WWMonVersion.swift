/// `wwmon --version`. Bumped by hand with each release; the WeightWatcher version wwmon
/// reproduces is part of it because the numbers are only comparable between equal ones.
enum WWMonVersion {
    static let current = "wwmon 0.1.0 (WeightWatcher 0.7.7 metrics)"
}
