// A complete labeler plugin in Swift with PluginKit: every pixel of every image gets `value` (a baseline for
// probes, and the SDK example for Swift). It also declares an action, `describe`, that logs its arguments.
//
// In this package a Swift plugin is a `.library(type: .dynamic)` product built with `plugin(...)` in
// Package.swift. Standalone (what Tests/PluginHostTests does):
//     swiftc -emit-library -parse-as-library -module-name ConstantLabeler \
//       -Xcc -fmodule-map-file=<a module.modulemap for PluginABI> -I Sources/PluginABI/include \
//       Sources/PluginKit/*.swift Examples/SwiftPlugin/ConstantLabeler.swift \
//       -use-ld=lld -Xlinker --version-script=Plugins/exports.map -o libconstant_labeler.so
// (lld: gold leaves the hidden Swift metadata symbols in .dynsym; `nm -D --defined-only` must list only the entry.)
import PluginABI
import PluginKit

/// One instance: the value, and which images were asked for (for the log line at destroy).
final class ConstantLabeler {
    let value: Float
    var loads = 0
    init(value: Float) { self.value = value }
}

enum ConstantLabelerPlugin {
    static let params: [ParamSpec] = [
        .float("value", default: 0.5, range: 0...1, help: "the label of every pixel"),
        .bool("binary", default: false, help: "declare the label binary (value must then be 0 or 1)"),
    ]

    /// `ldmprobe action constant describe NAME REPEAT`: logs NAME REPEAT times.
    static let describe: @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<CChar>?, Int64) -> Int32 = {
        host, name, times in
        PluginCall.run(host) {
            guard times >= 0 else { throw PluginKitError.invalidArgument("constant: times must be ≥ 0, got \(times)") }
            let text = name.map { String(cString: $0) } ?? ""
            for _ in 0..<times { LDMHost(host)?.info("constant labeler: \(text)") }
        }
    }

    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_LABELER, name: "constant", version: (1, 0, 0),
        description: "every pixel = value (Swift SDK example)",
        params: params,
        actions: [ActionSpec("describe", help: "log NAME, TIMES times",
                             args: [("name", LDMP_ARG_STRING), ("times", LDMP_ARG_INT)], function: describe)],
        vtable: StaticStorage.store(ldmp_labeler_vtable(
            struct_size: StaticStorage.size(of: ldmp_labeler_vtable.self),
            create: { host, params, count, source, out in
                PluginCall.run(host) {
                    let p = ParamValues(params, count: count)
                    let value = try p.double("value")
                    if try p.bool("binary") && value != 0 && value != 1 {
                        throw PluginKitError.invalidArgument("constant: binary labels need value 0 or 1, got \(value)")
                    }
                    try InstanceBox.store(ConstantLabeler(value: Float(value)), into: out)
                }
            },
            destroy: { InstanceBox.release($0) },
            label_kind: { _ in LDMP_LABEL_CONTINUOUS.rawValue },
            load: { labeler, imageID, image, out in
                PluginCall.run {
                    let c = try InstanceBox.object(labeler, as: ConstantLabeler.self)
                    let id = imageID.map { String(cString: $0) } ?? ""
                    guard !id.isEmpty else { throw PluginKitError.notFound("constant: empty image id") }
                    if image != nil { _ = try TensorView.bytes(image, "image", shape: [nil, nil, 3]) }
                    let o = try TensorView.mutableFloats(out, "out", shape: [nil, nil])  // F32 [H, W]
                    for i in 0..<o.count { o.buffer[i] = c.value }
                    c.loads += 1
                }
            })))
}

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [ConstantLabelerPlugin.descriptor] })
}
