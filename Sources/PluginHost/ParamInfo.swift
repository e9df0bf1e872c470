// PluginHost — one declared parameter (params.h), validated and copied out of the plugin.
import Foundation

/// A range bound as people write it: 0, 0.5, 0.00085, 1e+12.
public func formatNumber(_ d: Double) -> String {
    if d == d.rounded() && abs(d) < 1e7 { return String(Int64(d)) }
    if abs(d) >= 1e7 || abs(d) < 1e-4 { return String(format: "%g", d) }
    return "\(d)"
}

/// One declared parameter.
public struct ParamInfo: Codable, Sendable, Equatable {
    public var name: String
    public var type: ParamType
    /// nil: required (no default).
    public var defaultValue: String?
    public var min: Double?
    public var max: Double?
    public var choices: [String]
    public var help: String

    public init(name: String, type: ParamType, defaultValue: String?, min: Double?, max: Double?,
                choices: [String], help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.min = min
        self.max = max
        self.choices = choices
        self.help = help
    }

    /// "eta (float 0…1, default 0.0)".
    public var summary: String {
        var s = "\(name) (\(type.rawValue)"
        if type == .choice { s += " " + choices.joined(separator: "|") }
        if let min, let max {
            s += " \(formatNumber(min))…\(formatNumber(max))"
        }
        if let d = defaultValue { s += ", default " + (d.isEmpty ? "\"\"" : d) } else { s += ", required" }
        return s + ")"
    }
}
