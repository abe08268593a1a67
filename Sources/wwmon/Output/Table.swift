import Daemon

/// A column-aligned text table. Widths are measured on the plain text, and colour is applied
/// after padding, so escape codes never break the alignment.
struct Table {
    struct Cell {
        var text: String
        var tone: Style.Tone = .plain
        /// Control characters in names from files are shown escaped (`\n`, `\x1b`): they must
        /// not move the cursor, clear the screen or break a row (Sources/Daemon/Systemd/LogSafety.swift).
        init(_ text: String, _ tone: Style.Tone = .plain) { self.text = LogText.escape(text); self.tone = tone }
    }

    var headers: [String]
    /// Columns aligned left (names, paths, messages); the rest are numbers, aligned right.
    var leftAligned: Set<Int>
    var rows: [[Cell]] = []

    init(_ headers: [String], left: Set<Int> = [0]) {
        self.headers = headers; self.leftAligned = left
    }

    mutating func add(_ cells: [Cell]) { rows.append(cells) }
    mutating func add(_ cells: [String]) { rows.append(cells.map { Cell($0) }) }

    func render(_ style: Style) -> String {
        let n = headers.count
        var widths = headers.map(\.count)
        for row in rows { for (i, c) in row.prefix(n).enumerated() { widths[i] = max(widths[i], c.text.count) } }
        func line(_ cells: [Cell]) -> String {
            var parts: [String] = []
            for i in 0..<n {
                let c = i < cells.count ? cells[i] : Cell("")
                let pad = String(repeating: " ", count: widths[i] - c.text.count)
                let last = i == n - 1
                let padded = leftAligned.contains(i) ? c.text + (last ? "" : pad) : pad + c.text
                parts.append(style.paint(padded, c.tone))
            }
            // Empty trailing cells leave only padding behind: no trailing blanks on a line.
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        var out = style.paint(line(headers.map { Cell($0) }), .bold) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}
