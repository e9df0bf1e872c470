// The classifier.h vtable of the VGG plugins. C function pointers cannot capture, so each architecture gets its
// own `create` literal naming it; the other functions are shared.
import PluginABI
import PluginKit
import ClassifierSupport

extension VGGPlugin {
    typealias Create = @convention(c) (UnsafePointer<ldmp_host>?, UnsafePointer<ldmp_param_value>?, UInt32,
                                       UnsafeMutablePointer<OpaquePointer?>?) -> Int32

    static func vtable(for config: VGGConfig) -> UnsafePointer<ldmp_classifier_vtable> {
        let create: Create
        switch config.name {
        case "vgg11": create = { h, p, n, o in VGGPlugin.create("vgg11", h, p, n, o) }
        case "vgg11_bn": create = { h, p, n, o in VGGPlugin.create("vgg11_bn", h, p, n, o) }
        case "vgg13": create = { h, p, n, o in VGGPlugin.create("vgg13", h, p, n, o) }
        case "vgg13_bn": create = { h, p, n, o in VGGPlugin.create("vgg13_bn", h, p, n, o) }
        case "vgg16": create = { h, p, n, o in VGGPlugin.create("vgg16", h, p, n, o) }
        case "vgg16_bn": create = { h, p, n, o in VGGPlugin.create("vgg16_bn", h, p, n, o) }
        case "vgg19": create = { h, p, n, o in VGGPlugin.create("vgg19", h, p, n, o) }
        default: create = { h, p, n, o in VGGPlugin.create("vgg19_bn", h, p, n, o) }
        }
        return StaticStorage.store(ldmp_classifier_vtable(
            struct_size: StaticStorage.size(of: ldmp_classifier_vtable.self),
            create: create,
            destroy: { instance in InstanceBox.release(instance) },
            class_count: { instance in
                guard let instance, let c = try? InstanceBox.object(instance, as: VGGInstance.self)
                else { return 0 }
                return UInt32(c.classCount)
            },
            class_name: { instance, index in
                guard let instance, let c = try? InstanceBox.object(instance, as: VGGInstance.self)
                else { return nil }
                return c.className(Int(index))
            },
            classify: { instance, image, probabilities in
                PluginCall.run {
                    let c = try InstanceBox.object(instance, as: VGGInstance.self)
                    let img = try TensorView.bytes(image, "image", shape: [nil, nil, 3])
                    let out = try TensorView.mutableFloats(probabilities, "probabilities", shape: [c.classCount])
                    guard img.shape[0] > 0 && img.shape[1] > 0 else {
                        throw PluginKitError.invalidArgument("\(c.name): image: empty \(img.shape)")
                    }
                    let p = c.classify(UnsafeBufferPointer(img.buffer), height: img.shape[0], width: img.shape[1])
                    for i in 0..<p.count { out.buffer[i] = p[i] }
                }
            }))
    }

    static func create(_ name: String, _ host: UnsafePointer<ldmp_host>?, _ params: UnsafePointer<ldmp_param_value>?,
                       _ count: UInt32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
        PluginCall.run(host) {
            guard let config = VGGConfig.named(name) else {
                throw PluginKitError.internalError("vgg: unknown architecture \(name)")
            }
            let p = ParamValues(params, count: count)
            do {
                let spec = try VGGWeightsSpec.parse(try p.string("weights"), plugin: name)
                guard let pre = ImagePreprocessing(rawValue: try p.string("preprocess")) else {
                    throw ClassifierError.invalidParameter(plugin: name, name: "preprocess",
                                                           message: "expected torchvision or caffe")
                }
                let network = try spec.network(config: config)
                try InstanceBox.store(VGGInstance(name: name, network: network, preprocessing: pre), into: out)
            } catch let e as ClassifierError {
                throw e.pluginError
            }
        }
    }
}
