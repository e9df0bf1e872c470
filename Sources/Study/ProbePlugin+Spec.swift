// The probe's full spec, recorded in the saved probes' metadata and study.json: what fitted these weights.
import PluginHost

extension ProbePlugin {
    /// NAME:key=value,… with every parameter as bound (defaults included).
    public var specText: String {
        let params = parameters.values.filter { !$0.stringValue.isEmpty }.map { "\($0.name)=\($0.stringValue)" }
        return params.isEmpty ? name : name + ":" + params.joined(separator: ",")
    }
}
