// The demo world's object classifier (classifier.h): `world-objects`, a VGG-style net trained on rendered scenes
// (tools/demo/train_estimators.py) that names the shape of the caption's first (leftmost) object.
//
//     --classifier world-objects                       weights from Assets/demo (or $LDMPROBE_DEMO)
//     --classifier world-objects:weights=my.safetensors
import PluginABI
import PluginKit
import World
import Tensor

@_cdecl("ldmprobe_entry_v1")
public func ldmprobeEntry() -> UnsafePointer<ldmp_entry> {
    PluginEntry.entry(plugins: { [WorldObjectsPlugin.descriptor] })
}

/// One instance: the net and its class names (World.ObjectKind order).
final class WorldObjectsInstance {
    let net: WorldObjectClassifier
    let size: Int
    let names: [UnsafeMutablePointer<CChar>]

    init(net: WorldObjectClassifier, size: Int) {
        self.net = net
        self.size = size
        names = (0..<net.classCount).map { i in
            strdup(i < ObjectKind.allCases.count ? ObjectKind.allCases[i].name : "class_\(i)")!
        }
    }

    deinit { names.forEach { free($0) } }
}

enum WorldObjectsPlugin {
    static let params: [ParamSpec] = [
        .path("weights", default: "",
              help: "safetensors of the net; \"\" = estimators/world-objects.safetensors in $LDMPROBE_DEMO or the "
                  + "Assets/demo above this library"),
        .int("size", default: 64, range: 64...64, help: "the net's input size (images are resized to it, nearest)"),
    ]

    static let descriptor = PluginDescriptor(
        kind: LDMP_KIND_CLASSIFIER, name: "world-objects", version: (1, 0, 0),
        description: "demo world object classifier (sphere, cube, cylinder, cone, torus): the first-named object",
        params: params, vtable: vtable)

    static let vtable: UnsafePointer<ldmp_classifier_vtable> = StaticStorage.store(ldmp_classifier_vtable(
        struct_size: StaticStorage.size(of: ldmp_classifier_vtable.self),
        create: { host, params, count, out in
            PluginCall.run(host) {
                let p = ParamValues(params, count: count)
                do {
                    let weights = try DemoAssets.resolve("estimators/world-objects.safetensors",
                                                         explicit: try p.string("weights"), from: PluginEntry.libraryPath)
                    let net = try WorldObjectClassifier(path: weights)
                    try InstanceBox.store(WorldObjectsInstance(net: net, size: try p.int("size")), into: out)
                } catch let e as WorldError {
                    throw PluginKitError.io("world-objects: \(e.description)")
                }
            }
        },
        destroy: { instance in InstanceBox.release(instance) },
        class_count: { instance in
            guard let c = try? InstanceBox.object(instance, as: WorldObjectsInstance.self) else { return 0 }
            return UInt32(c.net.classCount)
        },
        class_name: { instance, index in
            guard let c = try? InstanceBox.object(instance, as: WorldObjectsInstance.self),
                  Int(index) < c.names.count else { return nil }
            return UnsafePointer(c.names[Int(index)])
        },
        classify: { instance, image, probabilities in
            PluginCall.run {
                let c = try InstanceBox.object(instance, as: WorldObjectsInstance.self)
                let img = try TensorView.bytes(image, "image", shape: [nil, nil, 3])
                let out = try TensorView.mutableFloats(probabilities, "probabilities", shape: [c.net.classCount])
                guard img.shape[0] > 0 && img.shape[1] > 0 else {
                    throw PluginKitError.invalidArgument("world-objects: image: empty \(img.shape)")
                }
                let x = DemoImage.input(UnsafeBufferPointer(img.buffer), height: img.shape[0], width: img.shape[1],
                                        size: c.size)                                  // [1, 3, 64, 64]
                let p = c.net.probabilities(x)                                         // [1, classes]
                for i in 0..<c.net.classCount { out.buffer[i] = p.data[i] }
            }
        }))
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
