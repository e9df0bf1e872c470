// PluginHost — a labeler plugin with its validated parameters (labeler.h).
//
//     let tracer = try registry.labeler(spec: "mask")
//     let l = try tracer.instantiate(source: "labels/tracer")
//     let mask = try l.load(imageID: "00042", height: 512, width: 512)   // F32 [512, 512]
import PluginABI

public final class LabelerPlugin: @unchecked Sendable {
    public let info: PluginInfo
    public let parameters: BoundParameters
    let vtable: UnsafePointer<ldmp_labeler_vtable>

    init(info: PluginInfo, parameters: BoundParameters) {
        self.info = info
        self.parameters = parameters
        vtable = info.vtable.assumingMemoryBound(to: ldmp_labeler_vtable.self)
    }

    public var name: String { info.name }
    /// The capabilities that hold with these parameters (plugin.h).
    public var capabilities: Capability { Capability.effective(info, parameters) }
    /// True for an estimator (LDMP_CAP_LABELER_NEEDS_IMAGE): load needs the generated image.
    public var needsImage: Bool { capabilities.contains(.labelerNeedsImage) }

    /// source: the label folder (importers; resolved against the working directory) or "" (estimators).
    public func instantiate(source: String = "") throws -> LabelerInstance {
        var out: OpaquePointer?
        let create = vtable.pointee.create!
        let resolved = source.isEmpty ? "" : PluginLoader.absolutePath(source)
        try HostServices.check(info.name, "create") {
            parameters.withCValues { values, count in
                resolved.withCString { create(info.host, values, count, $0, &out) }
            }
        }
        guard let out else {
            throw PluginError.callFailed(plugin: info.name, function: "create", status: 0,
                                         message: "returned LDMP_OK but no instance")
        }
        return LabelerInstance(plugin: self, handle: out)
    }
}

