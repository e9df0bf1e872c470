// PluginHost — a validated Swift copy of one plugin's descriptor (plugin.h, params.h, action.h).
import PluginABI

/// A loaded plugin: its declaration and where it came from.
public struct PluginInfo: @unchecked Sendable {
    public var kind: PluginKind
    public var name: String
    public var version: String
    /// The ABI the library was built against ("1.0").
    public var abiVersion: String
    public var description: String
    public var library: String
    public var params: [ParamInfo]
    public var actions: [ActionInfo]
    /// The plugin's vtable (validated for its kind).
    let vtable: UnsafeRawPointer
    /// Action function pointers, parallel to `actions`.
    let actionFunctions: [UnsafeRawPointer]
    /// The ldmp_host handed to this plugin's create() and actions (log lines prefixed with its name).
    let host: UnsafePointer<ldmp_host>
    /// LDMP_CAP_* bits the descriptor declares (0 for a 1.0 plugin).
    public let capabilities: UInt64
    /// The descriptor's capabilities_for, when it refines the bits per parameter list.
    let capabilitiesFor: CapabilitiesFunction?

    /// "sampler ddim".
    public var label: String { "\(kind.rawValue) \(name)" }
}
