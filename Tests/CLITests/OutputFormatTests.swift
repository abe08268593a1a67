import Foundation
import Testing
@testable import wwmon
import Views

@Suite("Hand-written output helpers agree with Foundation")
struct OutputFormatTests {
    @Test("FlatJSON escapes untrusted layer names so JSONDecoder reads back the same text; non-finite is null")
    func flatJSONRoundTrip() throws {
        struct Row: Decodable, Equatable { var layer: String; var value: Double?; var n: Int }
        let nasty = "a\"b\\c\nd\te\u{1}f/é🙂$(touch /tmp/pwned)"
        for v in [1.5, 1e-05, 123456789.125, -0.0, .nan, .infinity] {
            let row = FlatJSON(fields: [("layer", .string(nasty)), ("n", .int(-3)), ("value", .number(v))])
            for text in [row.compact, FlatJSON.array([row])] {
                let data = Data(text.utf8)
                let back: Row = text.hasPrefix("[") ? try JSONDecoder().decode([Row].self, from: data)[0]
                                                    : try JSONDecoder().decode(Row.self, from: data)
                #expect(back.layer == nasty && back.n == -3)
                #expect(v.isFinite ? back.value == v : back.value == nil)
            }
        }
        #expect(!FlatJSON(fields: [("k", .string("x\ny"))]).compact.contains("\n"), "NDJSON stays one line")
        #expect(FlatJSON.array([]) == "[\n\n]\n")
    }

    @Test("Text.fixed matches printf's %.Nf on table values, minus the sign of zero (and '-' / inf for non-finite)")
    func fixedMatchesPrintf() {
        let values: [Double] = [0, 5.236416763708926, -2.5841280444787773, 11.578686856987542, 0.0004, -0.0004,
                                1234567.891, 2.0, 35.02020573639317, 1e-9, -1e-9, 0.9995, 1e14]
        for v in values {
            for d in [0, 2, 3] {
                // One deliberate difference: a value that rounds to zero prints without printf's "-".
                var printf = String(format: "%.\(d)f", v)
                if printf.hasPrefix("-") && printf.allSatisfy({ "-0.".contains($0) }) { printf.removeFirst() }
                #expect(Text.fixed(v, d) == printf, "\(v) \(d)")
            }
        }
        #expect(Text.fixed(.nan) == "-" && Text.fixed(nil) == "-" && Text.fixed(-.infinity) == "-inf")
    }

    @Test("Text.time is the RFC 3339 UTC form Foundation gives")
    func rfc3339() {
        for t in [0.0, 951_782_400.9, 1_795_918_988.4, 4_102_444_799] {
            let d = Date(timeIntervalSince1970: t)
            #expect(Text.time(d) == d.ISO8601Format())
        }
    }
}
