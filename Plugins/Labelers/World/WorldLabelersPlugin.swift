// The demo world's label estimators: three labeler plugins behind one ldmprobe_entry_v1. They take the generated
// image (as TRACER/MiDaS/Intrinsic did in the studies) and run a tiny conv net trained on rendered scenes
// (tools/demo/train_estimators.py).
//
//     --label fg=world-foreground        1 where P(object) > 0.5, else 0
//     --label depth=world-depth          inverse depth 1/z (camera z of the demo world's units), like MiDaS
//     --label shading=world-shading      shading in [0, 1] (ambient + sun, with cast shadows)
//
// Weights: the `weights` parameter, else Assets/demo/estimators/<plugin>.safetensors found from $LDMPROBE_DEMO or
// upwards from this library's folder (World.DemoAssets).
import PluginABI
import PluginKit
import World

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { WorldLabelersPlugin.descriptors })
}

enum WorldLabelersPlugin {
    static func params(_ name: String, normalize: String) -> [ParamSpec] {
        [
            .path("weights", default: "",
                  help: "safetensors of the net; \"\" = estimators/\(name).safetensors in $LDMPROBE_DEMO or the "
                      + "Assets/demo above this library"),
            .int("size", default: 64, range: 8...1024,
                 help: "the net's input size (images are resized to size×size, nearest); multiple of 4"),
            .choice("normalize", ["none", "zscore", "minmax"], default: normalize,
                    help: "continuous labels: none, zscore ((v − mean)/std) or minmax (per image to [0, 1])"),
            .float("mean", default: 0, help: "zscore mean"),
            .float("std", default: 1, range: 1e-30...1e30, help: "zscore standard deviation"),
        ]
    }

    static var descriptors: [PluginDescriptor] {
        [
            descriptor("world-foreground", "demo world foreground estimator (tiny conv net on the image): 0/1 mask"),
            descriptor("world-depth", "demo world inverse-depth estimator (tiny conv net on the image), like MiDaS"),
            descriptor("world-shading", "demo world shading estimator (tiny conv net on the image), in [0, 1]"),
        ]
    }

    static func descriptor(_ name: String, _ description: String) -> PluginDescriptor {
        PluginDescriptor(kind: LDMP_KIND_LABELER, name: name, version: (1, 0, 0), description: description,
                         params: params(name, normalize: "none"),
                         capabilities: LDMP_CAP_LABELER_NEEDS_IMAGE,  // estimators: the label comes from the image
                         vtable: vtable(name))
    }

    static func vtable(_ name: String) -> UnsafePointer<ldmp_labeler_vtable> {
        // One vtable per plugin: create must know which net it loads, and C closures capture nothing.
        let create: @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<ldmp_param_value>?, UInt32,
                                    UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
        switch name {
        case "world-foreground": create = { h, p, n, _, o in WorldLabelersPlugin.create(.foreground, h, p, n, o) }
        case "world-depth": create = { h, p, n, _, o in WorldLabelersPlugin.create(.depth, h, p, n, o) }
        default: create = { h, p, n, _, o in WorldLabelersPlugin.create(.shading, h, p, n, o) }
        }
        return StaticStorage.store(ldmp_labeler_vtable(
            struct_size: StaticStorage.size(of: ldmp_labeler_vtable.self),
            create: create,
            destroy: { labeler in InstanceBox.release(labeler) },
            label_kind: { labeler in
                guard let e = try? InstanceBox.object(labeler, as: WorldEstimator.self) else {
                    return LDMP_LABEL_CONTINUOUS.rawValue
                }
                return (e.binary ? LDMP_LABEL_BINARY : LDMP_LABEL_CONTINUOUS).rawValue
            },
            load: { labeler, id, image, out in
                PluginCall.run {
                    let e = try InstanceBox.object(labeler, as: WorldEstimator.self)
                    let idText = id.map { String(cString: $0) } ?? "?"
                    guard image != nil else {
                        throw PluginKitError.invalidArgument(
                            "\(e.name): image \(idText): estimators need the generated image (the host passed none)")
                    }
                    let img = try TensorView.bytes(image, "image", shape: [nil, nil, 3])
                    let o = try TensorView.mutableFloats(out, "out", shape: [nil, nil])
                    guard img.shape[0] > 0, img.shape[1] > 0, o.shape[0] > 0, o.shape[1] > 0 else {
                        throw PluginKitError.invalidArgument("\(e.name): image \(idText): empty image \(img.shape) or out \(o.shape)")
                    }
                    let v = e.label(UnsafeBufferPointer(img.buffer), imageHeight: img.shape[0], imageWidth: img.shape[1],
                                    height: o.shape[0], width: o.shape[1])
                    for i in 0..<v.count { o.buffer[i] = v[i] }
                }
            }))
    }

    static func create(_ property: WorldEstimator.Property, _ host: UnsafePointer<ldmp_host>?,
                       _ params: UnsafePointer<ldmp_param_value>?, _ count: UInt32,
                       _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
        PluginCall.run(host) {
            let name = "world-\(property.rawValue)"
            let p = ParamValues(params, count: count)
            let size = try p.int("size")
            guard size % 4 == 0 else { throw PluginKitError.invalidArgument("\(name): size=\(size) is not a multiple of 4") }
            do {
                let weights = try DemoAssets.resolve("estimators/\(name).safetensors", explicit: try p.string("weights"),
                                                     from: PluginEntry.libraryPath)
                let e = try WorldEstimator(
                    name: name, property: property, weights: weights, inputSize: size,
                    normalisation: WorldEstimator.Normalisation(rawValue: try p.string("normalize")) ?? .none,
                    mean: Float(try p.double("mean")), std: Float(try p.double("std")))
                try InstanceBox.store(e, into: out)
            } catch let e as WorldError {
                throw PluginKitError.io("\(name): \(e.description)")
            }
        }
    }
}
