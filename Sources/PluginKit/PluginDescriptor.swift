// PluginKit — one plugin's descriptor (plugin.h), built once into static storage.
//
//     static let descriptor = PluginDescriptor(
//         kind: LDMP_KIND_SAMPLER, name: "ddim", version: (1, 0, 0),
//         description: "DDIM (diffusers DDIMScheduler)", params: params,
//         vtable: StaticStorage.store(ldmp_sampler_vtable(struct_size: StaticStorage.size(of: ldmp_sampler_vtable.self),
//                                                        create: { … }, …)))
//
// Hand descriptors to PluginEntry.entry(plugins:). The pointer stays valid for the life of the process.
import PluginABI

public struct PluginDescriptor {
    /// The C descriptor; never freed.
    public let pointer: UnsafePointer<ldmp_plugin_desc>
    public let name: String

    /// capabilities: LDMP_CAP_* bits; capabilitiesFor narrows them per parameter list (plugin.h).
    public init<VTable>(kind: ldmp_plugin_kind, name: String, version: (UInt32, UInt32, UInt32),
                        description: String, params: [ParamSpec] = [], actions: [ActionSpec] = [],
                        capabilities: UInt64 = 0,
                        capabilitiesFor: (@convention(c) (UnsafePointer<ldmp_param_value>?, UInt32) -> UInt64)? = nil,
                        vtable: UnsafePointer<VTable>) {
        self.name = name
        let desc = ldmp_plugin_desc(
            struct_size: StaticStorage.size(of: ldmp_plugin_desc.self),
            kind: kind.rawValue,
            name: StaticStorage.cString(name),
            version: ldmp_version(major: version.0, minor: version.1, patch: version.2),
            description: StaticStorage.cString(description),
            param_count: UInt32(params.count),
            params: StaticStorage.array(params.map { $0.cDescriptor }),
            action_count: UInt32(actions.count),
            actions: StaticStorage.array(actions.map { $0.cDescriptor }),
            vtable: UnsafeRawPointer(vtable),
            capabilities: capabilities,
            capabilities_for: capabilitiesFor)
        pointer = StaticStorage.store(desc)
    }
}
