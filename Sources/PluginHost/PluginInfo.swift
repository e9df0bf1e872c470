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

    /// "sampler ddim".
    public var label: String { "\(kind.rawValue) \(name)" }
}
