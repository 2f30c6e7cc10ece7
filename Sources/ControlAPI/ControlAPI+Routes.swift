extension ControlAPI {
    /// Every operation, in the order they are tried.
    static func routeTable() -> [Route] {
        restApiRoutes + authorizerRoutes + resourceRoutes + stageRoutes + keyRoutes + linkRoutes + domainRoutes
            + accountRoutes + documentationRoutes
    }
}
