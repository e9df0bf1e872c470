// PluginHost — checks one ldmp_plugin_desc (and its parameters, actions and vtable) before anything uses it.
//
// Never reads past a struct's struct_size; arrays are walked with the plugin's element size (a plugin built
// against a newer minor has larger elements).
import Foundation
import PluginABI

enum DescriptorValidator {
    static func validate(_ desc: UnsafePointer<ldmp_plugin_desc>, abi: ldmp_version,
                         library: String) throws -> PluginInfo {
        let size = Int(UnsafeRawPointer(desc).load(as: UInt32.self))
        guard size >= ABIMinimum.pluginDesc else {
            throw DescriptorProblem("struct_size \(size) < \(ABIMinimum.pluginDesc) (sizeof ldmp_plugin_desc)")
        }
        // Copy only what the plugin wrote: a 1.0 descriptor is shorter than ours (the rest reads as zero).
        var d = ldmp_plugin_desc()
        withUnsafeMutableBytes(of: &d) { $0.copyMemory(from: UnsafeRawBufferPointer(start: desc, count: min(size, $0.count))) }
        guard let kind = PluginKind(d.kind) else { throw DescriptorProblem("unknown kind \(d.kind)") }
        let name = try identifier(d.name, what: "plugin name", allowDash: true)
        let label = "\(kind.rawValue) \(name)"
        func problem(_ s: String) -> DescriptorProblem { DescriptorProblem("\(label): \(s)") }

        let params = try paramInfos(d.params, count: d.param_count, label: label)
        let (actions, fns) = try actionInfos(d.actions, count: d.action_count, label: label)
        guard let vtable = d.vtable else { throw problem("vtable is NULL") }
        let vsize = Int(vtable.load(as: UInt32.self))
        guard vsize >= ABIMinimum.vtable(kind) else {
            throw problem("vtable struct_size \(vsize) < \(ABIMinimum.vtable(kind)) (sizeof the \(kind.rawValue) vtable)")
        }
        if let missing = missingFunctions(kind, vtable), !missing.isEmpty {
            throw problem("vtable function(s) \(missing.joined(separator: ", ")) are NULL but required")
        }
        var capabilities: UInt64 = 0
        var capabilitiesFor: CapabilitiesFunction?
        if ABIMinimum.covers(size, \ldmp_plugin_desc.capabilities_for) {
            capabilities = d.capabilities
            capabilitiesFor = d.capabilities_for
        } else if ABIMinimum.covers(size, \ldmp_plugin_desc.capabilities) {
            capabilities = d.capabilities
        }
        if let why = Capability.problem(capabilities, kind: kind) { throw problem(why) }
        return PluginInfo(
            kind: kind, name: name,
            version: "\(d.version.major).\(d.version.minor).\(d.version.patch)",
            abiVersion: "\(abi.major).\(abi.minor)",
            description: d.description.map { String(cString: $0) } ?? "",
            library: library, params: params, actions: actions, vtable: vtable, actionFunctions: fns,
            host: HostServices.makeHost(name: name), capabilities: capabilities, capabilitiesFor: capabilitiesFor)
    }

    /// [a-z0-9_]+ (and '-' for plugin and action names).
    static func identifier(_ p: UnsafePointer<CChar>?, what: String, allowDash: Bool) throws -> String {
        guard let p else { throw DescriptorProblem("\(what) is NULL") }
        let s = String(cString: p)
        let ok = !s.isEmpty && s.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f || (allowDash && $0 == 0x2d)
        }
        guard ok else {
            throw DescriptorProblem("\(what) '\(s)' does not match [a-z0-9_\(allowDash ? "-" : "")]+")
        }
        return s
    }

    static func paramInfos(_ base: UnsafePointer<ldmp_param_desc>?, count: UInt32,
                           label: String) throws -> [ParamInfo] {
        guard count > 0 else { return [] }
        guard count <= 256 else { throw DescriptorProblem("\(label): param_count \(count) is implausible") }
        guard let base else { throw DescriptorProblem("\(label): params is NULL but param_count is \(count)") }
        let stride = Int(UnsafeRawPointer(base).load(as: UInt32.self))
        guard stride >= ABIMinimum.paramDesc else {
            throw DescriptorProblem("\(label): param struct_size \(stride) < \(ABIMinimum.paramDesc)")
        }
        var out: [ParamInfo] = []
        for i in 0..<Int(count) {
            let raw = UnsafeRawPointer(base) + i * stride
            guard Int(raw.load(as: UInt32.self)) == stride else {
                throw DescriptorProblem("\(label): param #\(i) struct_size differs from param #0")
            }
            let p = raw.load(as: ldmp_param_desc.self)
            let name = try identifier(p.name, what: "\(label): param #\(i) name", allowDash: false)
            let where_ = "\(label): param '\(name)'"
            guard let type = ParamType(p.type) else {
                throw DescriptorProblem("\(where_): unknown type \(p.type)")
            }
            guard !out.contains(where: { $0.name == name }) else {
                throw DescriptorProblem("\(where_): declared twice")
            }
            var info = ParamInfo(name: name, type: type, defaultValue: nil, min: nil, max: nil, choices: [],
                                 help: p.help.map { String(cString: $0) } ?? "")
            let def = p.default_value.map { String(cString: $0) }
            if let def, !def.isEmpty || type == .string || type == .path { info.defaultValue = def }
            if (type == .int || type == .float) && p.has_range != 0 {
                guard p.min_value.isFinite, p.max_value.isFinite, p.min_value <= p.max_value else {
                    throw DescriptorProblem("\(where_): bad range [\(p.min_value), \(p.max_value)]")
                }
                info.min = p.min_value
                info.max = p.max_value
            }
            if type == .choice {
                let list = p.choices.map { String(cString: $0) } ?? ""
                info.choices = list.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard !list.isEmpty, !info.choices.contains("") else {
                    throw DescriptorProblem("\(where_): choice parameter needs non-empty '|'-separated choices")
                }
            }
            if let d = info.defaultValue {
                if case .failure(let why) = ParamBinder.parse(d, as: info) {
                    throw DescriptorProblem("\(where_): default '\(d)' is invalid: \(why)")
                }
            }
            out.append(info)
        }
        return out
    }

    static func actionInfos(_ base: UnsafePointer<ldmp_action_desc>?, count: UInt32,
                            label: String) throws -> ([ActionInfo], [UnsafeRawPointer]) {
        guard count > 0 else { return ([], []) }
        guard count <= 256 else { throw DescriptorProblem("\(label): action_count \(count) is implausible") }
        guard let base else { throw DescriptorProblem("\(label): actions is NULL but action_count is \(count)") }
        let stride = Int(UnsafeRawPointer(base).load(as: UInt32.self))
        guard stride >= ABIMinimum.actionDesc else {
            throw DescriptorProblem("\(label): action struct_size \(stride) < \(ABIMinimum.actionDesc)")
        }
        var infos: [ActionInfo] = []
        var fns: [UnsafeRawPointer] = []
        for i in 0..<Int(count) {
            let raw = UnsafeRawPointer(base) + i * stride
            guard Int(raw.load(as: UInt32.self)) == stride else {
                throw DescriptorProblem("\(label): action #\(i) struct_size differs from action #0")
            }
            let a = raw.load(as: ldmp_action_desc.self)
            let name = try identifier(a.name, what: "\(label): action #\(i) name", allowDash: true)
            let where_ = "\(label): action '\(name)'"
            guard !infos.contains(where: { $0.name == name }) else {
                throw DescriptorProblem("\(where_): declared twice")
            }
            guard a.arg_count <= LDMP_MAX_ACTION_ARGS else {
                throw DescriptorProblem("\(where_): arg_count \(a.arg_count) > \(LDMP_MAX_ACTION_ARGS)")
            }
            guard let fn = a.fn else { throw DescriptorProblem("\(where_): fn is NULL") }
            var names: [String] = []
            var types: [ArgType] = []
            if a.arg_count > 0 {
                guard let ts = a.arg_types, let ns = a.arg_names else {
                    throw DescriptorProblem("\(where_): arg_types/arg_names NULL with arg_count \(a.arg_count)")
                }
                for k in 0..<Int(a.arg_count) {
                    guard let t = ArgType(ts[k]) else {
                        throw DescriptorProblem("\(where_): arg #\(k) has unknown type \(ts[k])")
                    }
                    guard let n = ns[k] else { throw DescriptorProblem("\(where_): arg #\(k) name is NULL") }
                    types.append(t)
                    names.append(String(cString: n))
                }
            }
            infos.append(ActionInfo(name: name, help: a.help.map { String(cString: $0) } ?? "",
                                    argNames: names, argTypes: types))
            fns.append(unsafeBitCast(fn, to: UnsafeRawPointer.self))
        }
        return (infos, fns)
    }

    /// Names of required vtable functions that are NULL.
    static func missingFunctions(_ kind: PluginKind, _ vtable: UnsafeRawPointer) -> [String]? {
        var missing: [String] = []
        func need(_ present: Bool, _ name: String) { if !present { missing.append(name) } }
        switch kind {
        case .sampler:
            let v = SamplerPlugin.vtableCopy(vtable)  // an older plugin's vtable is shorter
            need(v.create != nil, "create"); need(v.destroy != nil, "destroy")
            need(v.set_timesteps != nil, "set_timesteps"); need(v.call_count != nil, "call_count")
            need(v.timestep != nil, "timestep"); need(v.init_noise_sigma != nil, "init_noise_sigma")
            need(v.scale_model_input != nil, "scale_model_input"); need(v.step != nil, "step")
            need(v.needs_noise != nil, "needs_noise")
        case .probe:
            let v = ProbePlugin.vtableCopy(vtable)  // an older plugin's vtable is shorter
            need(v.create != nil, "create"); need(v.destroy != nil, "destroy")
            need(v.add_example != nil, "add_example"); need(v.fit != nil, "fit")
            need(v.predict != nil, "predict"); need(v.get_weights != nil, "get_weights")
            need(v.set_weights != nil, "set_weights")
            // loss_gradient and merge are optional (probe.h).
        case .classifier:
            let v = vtable.load(as: ldmp_classifier_vtable.self)
            need(v.create != nil, "create"); need(v.destroy != nil, "destroy")
            need(v.class_count != nil, "class_count"); need(v.class_name != nil, "class_name")
            need(v.classify != nil, "classify")
        case .labeler:
            let v = vtable.load(as: ldmp_labeler_vtable.self)
            need(v.create != nil, "create"); need(v.destroy != nil, "destroy")
            need(v.label_kind != nil, "label_kind"); need(v.load != nil, "load")
        case .wordmap:
            let v = vtable.load(as: ldmp_wordmap_vtable.self)
            need(v.create != nil, "create"); need(v.destroy != nil, "destroy")
            need(v.begin != nil, "begin"); need(v.add != nil, "add"); need(v.finish != nil, "finish")
            need(v.mask_threshold != nil, "mask_threshold")
        }
        return missing
    }
}
