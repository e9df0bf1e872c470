// PluginKit — declaring a plugin's typed parameters (params.h) without touching C strings.
//
//     static let params: [ParamSpec] = [
//         .float("eta", default: 0.0, range: 0...1, help: "DDIM η: 0 = deterministic"),
//         .choice("timestep_spacing", ["leading", "trailing", "linspace"], default: "leading", help: "…"),
//         .int("steps_offset", default: 1, range: 0...1000, help: "…"),
//         .bool("clip_sample", default: false, help: "…"),
//         .path("weights", default: "", help: "safetensors file; \"\" = built-in"),
//     ]
//
// PluginDescriptor turns the list into a static ldmp_param_desc array. A nil default means "required".
import PluginABI

public struct ParamSpec {
    public var name: String
    public var type: ldmp_param_type
    public var defaultValue: String?
    public var range: ClosedRange<Double>?
    public var choices: [String]
    public var help: String

    public init(name: String, type: ldmp_param_type, defaultValue: String?, range: ClosedRange<Double>? = nil,
                choices: [String] = [], help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.range = range
        self.choices = choices
        self.help = help
    }

    public static func bool(_ name: String, default value: Bool?, help: String) -> ParamSpec {
        ParamSpec(name: name, type: LDMP_PARAM_BOOL, defaultValue: value.map { $0 ? "true" : "false" }, help: help)
    }

    public static func int(_ name: String, default value: Int?, range: ClosedRange<Int>? = nil,
                           help: String) -> ParamSpec {
        ParamSpec(name: name, type: LDMP_PARAM_INT, defaultValue: value.map { String($0) },
                  range: range.map { Double($0.lowerBound)...Double($0.upperBound) }, help: help)
    }

    public static func float(_ name: String, default value: Double?, range: ClosedRange<Double>? = nil,
                             help: String) -> ParamSpec {
        ParamSpec(name: name, type: LDMP_PARAM_FLOAT, defaultValue: value.map { String($0) }, range: range,
                  help: help)
    }

    /// "" is a valid default meaning "unset" for strings and paths.
    public static func string(_ name: String, default value: String? = "", help: String) -> ParamSpec {
        ParamSpec(name: name, type: LDMP_PARAM_STRING, defaultValue: value, help: help)
    }

    public static func path(_ name: String, default value: String? = "", help: String) -> ParamSpec {
        ParamSpec(name: name, type: LDMP_PARAM_PATH, defaultValue: value, help: help)
    }

    public static func choice(_ name: String, _ choices: [String], default value: String?,
                              help: String) -> ParamSpec {
        ParamSpec(name: name, type: LDMP_PARAM_CHOICE, defaultValue: value, choices: choices, help: help)
    }

    /// The C declaration, its strings in static storage.
    public var cDescriptor: ldmp_param_desc {
        ldmp_param_desc(
            struct_size: StaticStorage.size(of: ldmp_param_desc.self),
            name: StaticStorage.cString(name),
            type: type.rawValue,
            default_value: StaticStorage.optionalCString(defaultValue),
            min_value: range?.lowerBound ?? 0,
            max_value: range?.upperBound ?? 0,
            has_range: range == nil ? 0 : 1,
            choices: choices.isEmpty ? nil : StaticStorage.cString(choices.joined(separator: "|")),
            help: StaticStorage.cString(help))
    }
}
