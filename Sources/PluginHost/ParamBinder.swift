// PluginHost — checks a spec's settings against a plugin's declared parameters and builds the
// ldmp_param_value list create() receives (every declared parameter, in order, defaults filled in).
import Foundation
import PluginABI

public enum ParamBinder {
    /// Validates `settings` against `info.params`; unknown names, bad values and missing required parameters
    /// throw PluginError.invalidParameter listing every declared parameter.
    public static func bind(_ info: PluginInfo, settings: [PluginSpec.Setting]) throws -> BoundParameters {
        let valid = info.params.map(\.summary).joined(separator: ", ")
        func fail(_ reason: String) -> PluginError {
            .invalidParameter(plugin: info.label, reason: reason, valid: valid)
        }
        for s in settings where !info.params.contains(where: { $0.name == s.key }) {
            throw fail("unknown parameter '\(s.key)'")
        }
        var values: [BoundValue] = []
        for p in info.params {
            let given = settings.first { $0.key == p.name }
            guard let text = given?.value ?? p.defaultValue else {
                throw fail("parameter '\(p.name)' is required")
            }
            switch parse(text, as: p) {
            case .success(var v):
                v.isSet = given != nil
                values.append(v)
            case .failure(let why):
                throw fail("\(p.name)=\(text): \(why)")
            }
        }
        return BoundParameters(plugin: info.label, values: values)
    }

    /// Parses one value as `p` declares it (type, range, choices).
    static func parse(_ text: String, as p: ParamInfo) -> Result<BoundValue, ParseFailure> {
        var v = BoundValue(name: p.name, type: p.type, isSet: false, intValue: 0, floatValue: 0, stringValue: text)
        func inRange(_ x: Double) -> Bool {
            guard let lo = p.min, let hi = p.max else { return true }
            return x >= lo && x <= hi
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch p.type {
        case .bool:
            switch trimmed.lowercased() {
            case "true", "1": v.intValue = 1
            case "false", "0": v.intValue = 0
            default: return .failure(ParseFailure("expected a bool (true/false/1/0)"))
            }
        case .int:
            guard let i = Int64(trimmed) else { return .failure(ParseFailure("expected an integer")) }
            guard inRange(Double(i)) else { return .failure(ParseFailure("out of range \(p.rangeText)")) }
            v.intValue = i
            v.floatValue = Double(i)
        case .float:
            guard let d = Double(trimmed), d.isFinite else { return .failure(ParseFailure("expected a finite number")) }
            guard inRange(d) else { return .failure(ParseFailure("out of range \(p.rangeText)")) }
            v.floatValue = d
        case .string:
            break
        case .path:
            v.stringValue = text.isEmpty ? "" : PluginLoader.absolutePath(text)
        case .choice:
            guard p.choices.contains(trimmed) else {
                return .failure(ParseFailure("expected one of \(p.choices.joined(separator: "|"))"))
            }
            v.stringValue = trimmed
        }
        return .success(v)
    }
}

struct ParseFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

extension ParamInfo {
    var rangeText: String {
        guard let min, let max else { return "" }
        return "[\(formatNumber(min)), \(formatNumber(max))]"
    }
}
