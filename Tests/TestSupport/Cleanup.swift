/// Runs `body`, then `cleanup`, also when `body` throws: the awaited stopping that `defer` cannot do, so that
/// every engine, server and console a test starts has stopped before the test ends. Runs in the caller's
/// isolation (a main-actor test's closures stay on the main actor). Returns what `body` returns.
@discardableResult
public func withCleanup<Result>(
    isolation: isolated (any Actor)? = #isolation, _ cleanup: () async -> Void, _ body: () async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
