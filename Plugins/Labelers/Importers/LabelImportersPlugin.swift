// The label importers library: four labeler plugins behind one ldmprobe_entry_v1 (a factory).
//
//     --label fg=tracer:labels/tracer          8-bit masks, foreground = value > threshold (0)
//     --label depth=midas:labels/midas         MiDaS inverse depth (.npy/.pfm/.png/.pkl), z-scored as the study
//     --label shading=intrinsic:labels/intr    inverse shading → shading = 1/clip(inv, 0.001, 1) − 1
//     --label x=generic:labels/x               any per-pixel scalar (kind=continuous) or mask (kind=binary)
import PluginABI
import PluginKit
import FileFormats
import Foundation

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { LabelImportersPlugin.descriptors })
}

enum LabelImportersPlugin {
    static func common(normalize: String, mean: Double, std: Double, resize: String, png: String) -> [ParamSpec] {
        [
            .choice("normalize", ["none", "zscore", "minmax"], default: normalize,
                    help: "continuous labels: none, zscore ((v − mean)/std) or minmax (per image to [0, 1])"),
            .float("mean", default: mean, help: "zscore mean"),
            .float("std", default: std, range: 1e-30...1e30, help: "zscore standard deviation"),
            .choice("resize", ["nearest", "bilinear"], default: resize,
                    help: "when the file's size differs from the size asked for (PyTorch F.interpolate semantics)"),
            .choice("png", ["raw", "unit"], default: png, help: "PNG samples as raw values (0…255/0…65535) or divided to [0, 1]"),
            .string("ext", default: "", help: "label file extension; \"\" tries npy, pfm, png, pkl in that order"),
        ]
    }

    static let tracerParams: [ParamSpec] = [
        .float("threshold", default: 0, help: "foreground = PNG value > threshold (TRACER: sigmoid×255, the study: > 0)"),
    ] + common(normalize: "none", mean: 0, std: 1, resize: "nearest", png: "raw")

    static let midasParams: [ParamSpec] =
        common(normalize: "zscore", mean: 15.740597, std: 9.281932, resize: "bilinear", png: "raw")

    static let intrinsicParams: [ParamSpec] = [
        .choice("output", ["shading", "inverse"], default: "shading",
                help: "shading = 1/clip(inv, 0.001, 1) − 1 (the follow-up), or the inverse shading as stored"),
    ] + common(normalize: "none", mean: 0, std: 1, resize: "bilinear", png: "unit")

    static let genericParams: [ParamSpec] = [
        .choice("kind", ["continuous", "binary"], default: "continuous", help: "what the label is"),
        .float("threshold", default: 0, help: "binary: foreground = value > threshold"),
    ] + common(normalize: "none", mean: 0, std: 1, resize: "bilinear", png: "raw")

    static var descriptors: [PluginDescriptor] {
        [
            descriptor("tracer", "TRACER foreground masks (8-bit PNG), foreground = value > threshold", tracerParams),
            descriptor("midas", "MiDaS relative inverse depth (.npy, .pfm, 16-bit .png, pickled .pkl)", midasParams),
            descriptor("intrinsic", "Intrinsic (Careaga & Aksoy) inverse shading, as shading or inverse", intrinsicParams),
            descriptor("generic", "any per-pixel scalar or binary map (.npy, .pfm, .png, .pkl)", genericParams),
        ]
    }

    static func descriptor(_ name: String, _ description: String, _ params: [ParamSpec]) -> PluginDescriptor {
        PluginDescriptor(kind: LDMP_KIND_LABELER, name: name, version: (1, 0, 0), description: description,
                         params: params, vtable: vtable(name))
    }

    static func vtable(_ name: String) -> UnsafePointer<ldmp_labeler_vtable> {
        // One vtable per plugin: create needs to know which importer it builds, and C closures capture nothing.
        let create: @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<ldmp_param_value>?, UInt32,
                                    UnsafePointer<CChar>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32
        switch name {
        case "tracer": create = { h, p, n, s, o in LabelImportersPlugin.create("tracer", h, p, n, s, o) }
        case "midas": create = { h, p, n, s, o in LabelImportersPlugin.create("midas", h, p, n, s, o) }
        case "intrinsic": create = { h, p, n, s, o in LabelImportersPlugin.create("intrinsic", h, p, n, s, o) }
        default: create = { h, p, n, s, o in LabelImportersPlugin.create("generic", h, p, n, s, o) }
        }
        return StaticStorage.store(ldmp_labeler_vtable(
            struct_size: StaticStorage.size(of: ldmp_labeler_vtable.self),
            create: create,
            destroy: { labeler in InstanceBox.release(labeler) },
            label_kind: { labeler in
                guard let l = try? InstanceBox.object(labeler, as: LabelImporter.self) else {
                    return LDMP_LABEL_CONTINUOUS.rawValue
                }
                return (l.config.binary ? LDMP_LABEL_BINARY : LDMP_LABEL_CONTINUOUS).rawValue
            },
            load: { labeler, id, _, out in
                PluginCall.run {
                    do {
                        let l = try InstanceBox.object(labeler, as: LabelImporter.self)
                        guard let id else { throw PluginKitError.invalidArgument("\(l.config.name): image id is NULL") }
                        let o = try TensorView.mutableFloats(out, "out", shape: [nil, nil])
                        guard o.shape[0] > 0, o.shape[1] > 0 else {
                            throw PluginKitError.invalidArgument("\(l.config.name): out has shape \(o.shape)")
                        }
                        let v = try l.load(id: String(cString: id), height: o.shape[0], width: o.shape[1])
                        for i in 0..<v.count { o.buffer[i] = v[i] }
                    } catch let e as PluginLabelError {
                        throw e.kitError
                    } catch let e as FileFormatsError {
                        throw PluginKitError.io(e.description)
                    }
                }
            }))
    }

    static func create(_ name: String, _ host: UnsafePointer<ldmp_host>?, _ params: UnsafePointer<ldmp_param_value>?,
                       _ count: UInt32, _ source: UnsafePointer<CChar>?,
                       _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
        PluginCall.run(host) {
            do {
                let p = ParamValues(params, count: count)
                var c = LabelImporterConfig(name: name, binary: name == "tracer")
                c.normalisation = LabelNormalisation(rawValue: try p.string("normalize")) ?? .none
                c.mean = Float(try p.double("mean"))
                c.std = Float(try p.double("std"))
                c.resize = LabelResize(rawValue: try p.string("resize")) ?? .nearest
                c.pngUnit = try p.string("png") == "unit"
                let ext = try p.string("ext").trimmingCharacters(in: CharacterSet(charactersIn: ". "))
                if !ext.isEmpty { c.extensions = [ext] } else if name == "tracer" { c.extensions = ["png"] + LabelFile.formats.filter { $0 != "png" } }
                switch name {
                case "tracer": c.threshold = Float(try p.double("threshold"))
                case "intrinsic": c.shading = try p.string("output") == "shading"
                case "generic":
                    c.binary = try p.string("kind") == "binary"
                    c.threshold = Float(try p.double("threshold"))
                default: break
                }
                let importer = try LabelImporter(config: c, folder: source.map { String(cString: $0) } ?? "")
                try InstanceBox.store(importer, into: out)
            } catch let e as PluginLabelError {
                throw e.kitError
            }
        }
    }
}

extension PluginLabelError {
    var kitError: PluginKitError {
        switch self {
        case .notFound(let m): return .notFound(m)
        case .invalid(let m): return .invalidArgument(m)
        case .unsupported(let m): return .unsupported(m)
        }
    }
}
