/// The page frame every page shares: one inline stylesheet, no scripts, no external fetches
/// (it must work on an air-gapped cluster), print rules that drop the navigation.
enum Layout {
    static func page(title: String, nav: String, body: String, refresh: Int? = nil) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        \(refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
        <title>\(Escape.html(title)) · wwmon</title>
        <style>\(css)</style></head>
        <body><header><a class="brand" href="/">wwmon</a><nav>
        <a href="/"\(nav == "runs" ? " class=\"here\"" : "")>Runs</a>
        <a href="/compare"\(nav == "compare" ? " class=\"here\"" : "")>Compare</a>
        <a href="/alerts"\(nav == "alerts" ? " class=\"here\"" : "")>Alerts</a>
        <a href="/rank"\(nav == "rank" ? " class=\"here\"" : "")>Rank</a>
        <a href="/metrics">/metrics</a><a href="/api/v1/runs">API</a></nav></header>
        <main>\(body)</main>
        <footer>WeightWatcher 0.7.7 metrics · healthy alpha 2–6 · served by wwmon</footer>
        </body></html>
        """
    }

    static let css = """
    :root{--fg:#1d2733;--dim:#6b7785;--line:#d9dee4;--bg:#fff;--panel:#f6f8fa;--accent:#1f6fb2;--bad:#c62828;--warn:#e08a00;--good:#2e7d32}
    *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
    header{display:flex;align-items:center;gap:24px;padding:10px 24px;border-bottom:1px solid var(--line);background:var(--panel)}
    .brand{font-weight:700;font-size:17px;color:var(--fg);text-decoration:none;letter-spacing:.5px}
    nav a{margin-right:16px;color:var(--dim);text-decoration:none}nav a.here{color:var(--fg);font-weight:600;border-bottom:2px solid var(--accent)}
    main{padding:16px 24px;max-width:1280px}footer{padding:12px 24px;color:var(--dim);font-size:12px;border-top:1px solid var(--line)}
    h1{font-size:21px;margin:4px 0 2px}h2{font-size:16px;margin:22px 0 8px}.sub{color:var(--dim);margin-bottom:12px;overflow-wrap:anywhere}
    a{color:var(--accent)}table{border-collapse:collapse;width:100%;margin:6px 0 12px}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
    th{font-weight:600;color:var(--dim);font-size:12px;text-transform:uppercase;letter-spacing:.3px}td.l,th.l{text-align:left}td.name{text-align:left;white-space:normal;overflow-wrap:anywhere;max-width:420px}
    tr:hover td{background:#f1f5f9}.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn)}.good{color:var(--good)}.dim{color:var(--dim)}
    .pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e8f5e9;color:var(--good)}.pill.bad{background:#ffebee;color:var(--bad)}.pill.warn{background:#fff3e0;color:var(--warn)}
    .cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 4px}.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:120px}
    .card b{display:block;font-size:18px}.card > span{color:var(--dim);font-size:12px}
    .grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:8px 18px}
    .chart{width:100%;height:auto;font-size:11px;overflow:visible}.chart.heatmap{width:auto;max-width:none;height:auto}.hm-wrap{overflow-x:auto}.chart.esd{max-width:760px;display:block}
    .chart .ctitle{font-weight:600;font-size:12px;fill:var(--fg)}.chart .axis line{stroke:#9aa5b1;stroke-width:1}.chart .grid{stroke:#eef1f4!important}
    .chart text{fill:#55606c}.chart .yt{text-anchor:end;dominant-baseline:middle}.chart .xt{text-anchor:middle}.chart .xl{text-anchor:end;fill:var(--dim)}.chart .yl{text-anchor:middle;fill:var(--dim)}
    .chart .band{fill:#e8f5e9}.chart .series{fill:none;stroke-width:1.8;stroke-linejoin:round}
    .s0{stroke:#1f6fb2;fill:#1f6fb2}.s1{stroke:#e4572e;fill:#e4572e}.s2{stroke:#6a4c93;fill:#6a4c93}.s3{stroke:#2a9d8f;fill:#2a9d8f}
    .chart .series.s0{stroke:#1f6fb2}.chart .dots circle{stroke:#fff;stroke-width:.8}.chart circle.out{fill:var(--bad)}.chart .marker{stroke:var(--bad);stroke-dasharray:3 3;stroke-width:1.2}
    .chart .legend line{stroke-width:2.5}.chart .empty{text-anchor:middle;fill:var(--dim)}
    .spark{width:140px;height:28px;vertical-align:middle}.spark .series{fill:none;stroke-width:1.4}.spark .band{fill:#e8f5e9}.spark circle{fill:#1f6fb2}.spark circle.out{fill:var(--bad)}
    .heatmap .rl{text-anchor:end;font-size:11px;fill:var(--fg)}.heatmap a:hover .rl{fill:var(--accent);text-decoration:underline}.heatmap .note{fill:var(--dim)}
    .heatmap rect.out{stroke:#000;stroke-width:1}.lo{fill:#c62828;background:#c62828}.hi{fill:#6a1b9a;background:#6a1b9a}.gap{fill:#cfd6dd;background:#cfd6dd}
    .b0{fill:#0b5e55;background:#0b5e55}.b1{fill:#1b7a6e;background:#1b7a6e}.b2{fill:#2a9d8f;background:#2a9d8f}.b3{fill:#5fb49c;background:#5fb49c}.b4{fill:#8cc9a6;background:#8cc9a6}.b5{fill:#bfdcae;background:#bfdcae}.b6{fill:#e9d8a6;background:#e9d8a6}.b7{fill:#f4a261;background:#f4a261}
    .hm-legend{font-size:12px;color:var(--dim);display:flex;align-items:center;gap:3px;margin:4px 0 8px}.hm-legend .sw{display:inline-block;width:16px;height:11px}
    .esd .bars rect{fill:#9ec5e8;stroke:#5b9bd5;stroke-width:.5}.esd .sw-bars{fill:#9ec5e8}.esd .earlier{fill:none;stroke:#e4572e;stroke-width:1.6}
    .esd .fit{fill:none;stroke:#c62828;stroke-width:2.2}.esd line.xmin{stroke:#c62828;stroke-dasharray:5 3}.esd line.lmax{stroke:#6a4c93;stroke-dasharray:2 3}.esd line.mp{stroke:#2a9d8f;stroke-dasharray:1 2;stroke-width:1.6}.esd .vl{text-anchor:middle;font-size:10px}.esd .legend text{font-size:11px}
    form.filters{display:flex;gap:10px;align-items:end;flex-wrap:wrap;background:var(--panel);padding:8px 12px;border:1px solid var(--line);border-radius:6px;margin:6px 0 12px}
    form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--dim)}form.filters select,form.filters input{font:inherit;padding:3px 6px;min-width:90px}
    .bar{display:inline-block;height:9px;vertical-align:middle}.bar.up{background:#e4572e}.bar.down{background:#1f6fb2}
    .note{color:var(--dim);font-size:13px;max-width:900px}.err{background:#ffebee;border:1px solid #f5c2c7;padding:10px 14px;border-radius:6px;overflow-wrap:anywhere}
    @media print{header nav,footer,form.filters{display:none}main{max-width:none;padding:0}.grid2{grid-template-columns:1fr 1fr}.chart{break-inside:avoid}a{color:inherit;text-decoration:none}}
    """
}
