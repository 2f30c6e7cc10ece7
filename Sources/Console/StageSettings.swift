import GatewayModel

extension Stage {
    /// Changes the settings of every method (`*/*`). A stage without them gets them as the engine treats such a
    /// stage (GET methods cached while the cache is on), so that setting a throttle never turns caching off.
    mutating func changeAllMethods(_ change: (inout MethodSetting) -> Void) {
        var setting =
            methodSettings[MethodSetting.allMethodsKey]
            ?? {
                var fresh = MethodSetting()
                fresh.cachingEnabled = cacheClusterEnabled
                return fresh
            }()
        change(&setting)
        methodSettings[MethodSetting.allMethodsKey] = setting
    }
}
