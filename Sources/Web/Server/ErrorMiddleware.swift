import Hummingbird
import Logging

/// Every failure becomes a page (or a JSON object under `/api/`) with its sentence: unknown
/// runs, layers and steps are 404, bad parameters 400, unknown paths 404; anything else is
/// logged and answered 500 with the error's sentence.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let api = request.uri.path.hasPrefix("/api/")
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound {
            return respond(api, .notFound, "no such page: \(request.uri.path)")
        } catch {
            switch WebError.classify(error) {
            case .notFound(let m): return respond(api, .notFound, m)
            case .badRequest(let m): return respond(api, .badRequest, m)
            case nil:
                logger.error("request failed", metadata: ["http.path": "\(request.uri.path)", "error": "\(error)"])
                return respond(api, .internalServerError, "\(error)")
            }
        }
    }

    func respond(_ api: Bool, _ status: HTTPResponse.Status, _ message: String) -> Response {
        api ? Reply.jsonError(message, status: status) : Reply.html(ErrorPage.render(status: status.code, message: message), status: status)
    }
}
