// PluginHost — the LDMP_CAP_* bits of a descriptor (plugin.h), and the ones that hold for a parameter list.
//
//     let probe = try registry.probe(spec: "linear:fit=lstsq")
//     probe.isOnePass                      // capabilities_for(params) says so
import PluginABI

/// The C type of ldmp_plugin_desc.capabilities_for.
typealias CapabilitiesFunction = @convention(c) (UnsafePointer<ldmp_param_value>?, UInt32) -> UInt64

public struct Capability: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let probeOnePass = Capability(rawValue: LDMP_CAP_PROBE_ONE_PASS)
    public static let samplerStateful = Capability(rawValue: LDMP_CAP_SAMPLER_STATEFUL)
    public static let labelerNeedsImage = Capability(rawValue: LDMP_CAP_LABELER_NEEDS_IMAGE)

    /// The bits a plugin of `kind` may declare.
    static func allowed(for kind: PluginKind) -> Capability {
        switch kind {
        case .probe: return .probeOnePass
        case .sampler: return .samplerStateful
        case .labeler: return .labelerNeedsImage
        case .classifier, .wordmap: return []
        }
    }

    /// Names for listings ("one-pass").
    public var names: [String] {
        var n: [String] = []
        if contains(.probeOnePass) { n.append("one-pass") }
        if contains(.samplerStateful) { n.append("stateful") }
        if contains(.labelerNeedsImage) { n.append("needs-image") }
        return n
    }

    /// Every bit this host knows (LDMP_CAP_ALL_1_1); a plugin of a newer minor may set others, which are ignored.
    static let known = Capability(rawValue: LDMP_CAP_ALL_1_1)

    /// Why `bits` are not valid for `kind` (a known bit of another kind), or nil.
    static func problem(_ bits: UInt64, kind: PluginKind) -> String? {
        let wrong = bits & known.rawValue & ~allowed(for: kind).rawValue
        guard wrong != 0 else { return nil }
        return "capabilities 0x\(String(bits, radix: 16)) hold bits 0x\(String(wrong, radix: 16)) that are not for "
            + "a \(kind.rawValue) (LDMP_CAP_* in plugin.h)"
    }

    /// The capabilities that hold for `parameters`: the declared bits, narrowed by capabilities_for when the
    /// plugin has one.
    static func effective(_ info: PluginInfo, _ parameters: BoundParameters) -> Capability {
        let declared = info.capabilities & known.rawValue
        guard let fn = info.capabilitiesFor else { return Capability(rawValue: declared) }
        let bits = parameters.withCValues { values, count in fn(values, count) }
        return Capability(rawValue: bits & declared)
    }
}
