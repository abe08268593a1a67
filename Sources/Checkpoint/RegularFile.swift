/// Whole-file reads for the small side files outside the readers (index JSON, trainer_state.json,
/// DeepSpeed `latest`), through the same regular-file-only open as every reader (ReadOnlyFile):
/// a FIFO or device put where such a file belongs is refused at once instead of blocking.
public enum RegularFile {
    /// The bytes of `path`, at most `limit` of them; nil when it is missing, not a regular file,
    /// unreadable or larger than `limit`.
    public static func contents(_ path: String, limit: UInt64 = 64 << 20) -> [UInt8]? {
        try? FileSystem.readSmallFile(path, limit: limit)
    }
}
