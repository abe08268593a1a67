import Alerts
import ArgumentParser
import Store

// Fixed choices parsed by ArgumentParser: a wrong value is a usage error listing the valid ones,
// and shell completions offer them.
extension LayerMetric: ExpressibleByArgument {}
extension HistoryAlertStore.State: ExpressibleByArgument {}
