// Errors of `ldmprobe intervene`: bad probe files, targets and settings, each naming the file/layer and a hint.

public enum InterventionError: Error, CustomStringConvertible {
    case probeFile(path: String, reason: String)
    case missingProbe(layer: String, step: Int, path: String)
    case target(path: String, reason: String)
    case settings(String)

    public var description: String {
        switch self {
        case let .probeFile(path, reason):
            return "intervene: probe file \(path): \(reason) (expected `ldmprobe probe` output: probes/<property>.safetensors)"
        case let .missingProbe(layer, step, path):
            return "intervene: no probe for \(layer) at step \(step) in \(path) (hint: pick --layers/--steps the probes were trained on)"
        case let .target(path, reason):
            // File-format errors name the file themselves: say it once.
            let r = reason.hasPrefix(path + ": ") ? String(reason.dropFirst(path.count + 2)) : reason
            return "intervene: target \(path): \(r)"
        case let .settings(reason):
            return "intervene: \(reason)"
        }
    }
}
