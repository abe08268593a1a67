/// 404 / 400 / 500 as a page: the sentence, escaped, and a way back.
enum ErrorPage {
    static func render(status: Int, message: String) -> String {
        let title = status == 404 ? "Not found" : status == 400 ? "Bad request" : "Error"
        return Layout.page(title: title, nav: "", body: "<h1>\(status) · \(title)</h1><p class=\"err\">\(Escape.html(message))</p><p><a href=\"/\">All runs</a></p>")
    }
}
