// PluginHost — how many bytes of each struct the host needs, per ABI minor.
//
// ABI 1.0 needs every field of each struct as declared today. When a minor bump appends fields, keep the 1.0
// sizes here (offset of the end of the last 1.0 field) so that 1.0 plugins still load, and read the new fields
// only when struct_size covers them.
import PluginABI

enum ABIMinimum {
    static let entry = MemoryLayout<ldmp_entry>.size
    static let pluginDesc = MemoryLayout<ldmp_plugin_desc>.size
    static let paramDesc = MemoryLayout<ldmp_param_desc>.size
    static let actionDesc = MemoryLayout<ldmp_action_desc>.size

    static func vtable(_ kind: PluginKind) -> Int {
        switch kind {
        // set_begin_call and add_noise (img2img) were appended after needs_noise and are optional.
        case .sampler: return MemoryLayout<ldmp_sampler_vtable>.offset(of: \ldmp_sampler_vtable.set_begin_call)!
        case .probe: return MemoryLayout<ldmp_probe_vtable>.size
        case .classifier: return MemoryLayout<ldmp_classifier_vtable>.size
        case .labeler: return MemoryLayout<ldmp_labeler_vtable>.size
        }
    }
}
