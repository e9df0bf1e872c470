// PluginHost — how many bytes of each struct the host needs: the size the struct had in ABI 1.0 (the offset of
// the end of its last 1.0 field), so that a plugin built against 1.0 keeps loading whatever later minors append.
// Fields added later are read only when a struct's struct_size covers them (`covers`).
import PluginABI

enum ABIMinimum {
    static let entry = end(\ldmp_entry.describe)
    static let pluginDesc = end(\ldmp_plugin_desc.vtable)
    static let paramDesc = end(\ldmp_param_desc.help)
    static let actionDesc = end(\ldmp_action_desc.fn)

    static func vtable(_ kind: PluginKind) -> Int {
        switch kind {
        case .sampler: return end(\ldmp_sampler_vtable.needs_noise)
        case .probe: return end(\ldmp_probe_vtable.merge)
        case .classifier: return end(\ldmp_classifier_vtable.classify)
        case .labeler: return end(\ldmp_labeler_vtable.load)
        case .wordmap: return end(\ldmp_wordmap_vtable.mask_threshold)  // the kind is 1.2; its first layout
        }
    }

    /// The offset just past `field`.
    static func end<T, F>(_ field: KeyPath<T, F>) -> Int {
        // Every key path here names a stored field of an imported C struct, which always has an offset.
        (MemoryLayout<T>.offset(of: field) ?? MemoryLayout<T>.size) + MemoryLayout<F>.size
    }

    /// True when a struct of `size` bytes (its struct_size) holds `field`.
    static func covers<T, F>(_ size: Int, _ field: KeyPath<T, F>) -> Bool { size >= end(field) }
}
