/// Tells the two zip-based checkpoint formats apart by their entries.
enum ZipKind {
    /// True for an .npz (only `*.npy` entries); false for anything else, which the torch
    /// reader then accepts or explains (torch.save archive, TorchScript, .keras, plain zip).
    static func isNpz(_ path: String) throws -> Bool {
        let zip = try ZipArchive(file: try ArchiveFile(path: path))
        return !zip.entries.isEmpty && zip.entries.allSatisfy { $0.name.hasSuffix(".npy") }
    }
}
