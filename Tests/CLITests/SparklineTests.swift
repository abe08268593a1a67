import Testing
@testable import wwmon

@Suite("Sparklines")
struct SparklineTests {
    let plain = Style(color: false)

    @Test("Heights follow the values; gaps are spaces; the width is one column per point")
    func heightsAndGaps() {
        #expect(Sparkline.render([1, 2, nil, 8, .nan], style: plain) == "▁▂ █ ")
        #expect(Sparkline.render([3, 3, 3], style: plain) == "▄▄▄")
    }

    @Test("Out-of-range points are painted when colour is on and counted either way")
    func outOfRange() {
        let colored = Sparkline.render([2.5, 7.0], healthy: 2...6, style: Style(color: true))
        #expect(colored.contains("\u{1B}[31m█\u{1B}[0m") && colored.hasPrefix("▁"))
        #expect(Sparkline.outOfRange([1.5, 3, 7, nil, .nan], healthy: 2...6) == 2)
    }

    @Test("Long series fold into `width` buckets: means, any-outside marks, all-gap gaps")
    func folding() {
        let values: [Double?] = [1, 1, 9, 9, nil, nil, 3, 3]
        let b = Sparkline.fold(values, healthy: 2...6, width: 4)
        #expect(b.map(\.value) == [1, 9, nil, 3])
        #expect(b.map(\.outside) == [true, true, false, false])
        #expect(Sparkline.render(Array(repeating: 4.0, count: 500), style: plain).count == 60)
    }
}
