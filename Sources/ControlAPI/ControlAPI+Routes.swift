extension ControlAPI {
    /// Every operation, in the order they are tried.
    static func routeTable() -> [Route] {
        restApiRoutes + resourceRoutes + stageRoutes + keyRoutes + linkRoutes + domainRoutes + accountRoutes
    }
}
