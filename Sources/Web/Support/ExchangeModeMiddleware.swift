import Hummingbird

/// Marks every page of a mainnet installation (``Layout/mainnet``).
struct ExchangeModeMiddleware<Context: RequestContext>: RouterMiddleware {
    let mainnet: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard mainnet else { return try await next(request, context) }
        return try await Layout.$mainnet.withValue(true) { try await next(request, context) }
    }
}
