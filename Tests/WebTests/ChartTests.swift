import Foundation
import Testing
@testable import Web

/// The SVG renderers are pure: these check what they draw from the numbers given.
@Suite("Charts")
struct ChartTests {
    static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    @Test("A line chart draws one point per value, leaves gaps for NaN and flags out-of-band points")
    func lineChartPoints() {
        let xs = (0..<12).map { Double($0 * 100) }
        var ys = (0..<12).map { 3 + sin(Double($0)) }
        ys[4] = .nan; ys[7] = 1.5
        let svg = LineChart(title: "⟨alpha⟩", series: [.init(name: "alpha", xs: xs, ys: ys)], band: 2...6).svg()
        #expect(Self.count("<circle", in: svg) == 11)
        #expect(svg.contains("data-points=\"11\""))
        #expect(Self.count("<circle class=\"out\"", in: svg) == 1)
        // The NaN breaks the line: a second moveto.
        let d = svg.components(separatedBy: "d=\"")[1].prefix { $0 != "\"" }
        #expect(Self.count("M", in: String(d)) == 2)
        #expect(svg.contains("class=\"band\""))
    }

    @Test("Decimation keeps first, last, every bucket's extremes and gaps, and bounds the count")
    func decimationKeepsExtremes() {
        var ys = (0..<5000).map { sin(Double($0) / 50) }
        ys[1234] = 40; ys[3210] = -40; ys[4000] = .nan
        let keep = Decimate.minMax(ys, target: 900)
        #expect(keep.count <= 902)
        #expect(keep.first == 0 && keep.last == 4999)
        #expect(keep.contains(1234) && keep.contains(3210) && keep.contains(4000))
        #expect(keep == keep.sorted())
        #expect(Decimate.minMax([1, 2, 3], target: 900) == [0, 1, 2])
    }

    @Test("The heatmap has one cell per layer and checkpoint; out-of-range cells are marked")
    func heatmapCells() {
        let values: [[Double]] = [[3, 1.5, 7], [2.5, .nan, 4]]
        let h = Heatmap(id: "hm", rows: ["a", "b"], rowLinks: ["/a", "/b"], columns: [10, 20, 30], values: values, healthy: 2...6)
        let svg = h.svg()
        #expect(Self.count("<rect class=\"cell", in: svg) == 6)
        #expect(Self.count(" out\"", in: svg) == 2)
        #expect(Self.count("cell gap", in: svg) == 1)
        #expect(h.bin(2) == "b0" && h.bin(6) == "b7" && h.bin(6.01) == "hi out")
    }

    @Test("The ESD plot's fitted line starts at xmin and xmin / λmax are marked where they are")
    func esdFitStartsAtXmin() throws {
        // A Pareto-like tail: λ_i = (1 - i/n)^(-1/(α-1)) with α = 3.
        let n = 400
        let evals = (0..<n).map { Float(pow(1 - Double($0) / Double(n + 1), -0.5)) }.sorted()
        let xmin = Double(evals[150])
        let plot = ESDPlot(title: "t", current: .init(label: "step 1", eigenvalues: evals),
                           earlier: .init(label: "step 0", eigenvalues: evals.map { $0 * 0.8 }),
                           alpha: 3, xmin: xmin, xmax: nil, lambdaMax: Double(evals.last!))
        let svg = plot.svg()
        func attr(_ name: String, in s: Substring) -> Double? {
            guard let r = s.range(of: name + "=\"") else { return nil }
            return Double(s[r.upperBound...].prefix { $0 != "\"" })
        }
        let root = svg[...]
        let (x0, x1) = (try #require(attr("data-x0", in: root)), try #require(attr("data-x1", in: root)))
        let (p0, p1) = (try #require(attr("data-px0", in: root)), try #require(attr("data-px1", in: root)))
        let fit = try #require(svg.range(of: "<path class=\"fit\"")).upperBound
        let d = svg[fit...].components(separatedBy: " d=\"M")[1].prefix { $0 != " " }
        let startPx = try #require(Double(d))
        let startLambda = pow(10, x0 + (startPx - p0) / (p1 - p0) * (x1 - x0))
        #expect(abs(startLambda / xmin - 1) < 0.01, "fit starts at \(startLambda), xmin \(xmin)")
        #expect(svg.contains("class=\"xmin\" data-lambda=\"\(xmin)\""))
        #expect(svg.contains("class=\"earlier\""))
        #expect(Self.count("<rect x=", in: svg) > 10)
    }

    @Test("Hostile names are text: escaped in HTML, percent-encoded in links")
    func escaping() {
        #expect(Escape.html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
        #expect(Escape.html("a\"b'c&") == "a&quot;b&#39;c&amp;")
        #expect(Escape.link("/run", [("run", "../../etc/passwd")]) == "/run?run=..%2F..%2Fetc%2Fpasswd")
        #expect(Escape.link("/run", [("run", "a&b=c d+e")]) == "/run?run=a%26b%3Dc%20d%2Be")
        let svg = LineChart(title: "<script>x</script>", series: [.init(name: "<b>", xs: [1], ys: [2])]).svg()
        #expect(!svg.contains("<script>") && !svg.contains("<b>"))
    }
}
