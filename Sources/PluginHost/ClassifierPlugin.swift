// PluginHost — a classifier plugin with its validated parameters (classifier.h).
//
//     let vgg = try registry.classifier(spec: "vgg16:weights=vgg16.safetensors")
//     let c = try vgg.instantiate()
//     let probs = try c.classify(image: rgb, height: 512, width: 512)   // [classCount] softmax
import PluginABI

public final class ClassifierPlugin: @unchecked Sendable {
    public let info: PluginInfo
    public let parameters: BoundParameters
    let vtable: UnsafePointer<ldmp_classifier_vtable>

    init(info: PluginInfo, parameters: BoundParameters) {
        self.info = info
        self.parameters = parameters
        vtable = info.vtable.assumingMemoryBound(to: ldmp_classifier_vtable.self)
    }

    public var name: String { info.name }

    public func instantiate() throws -> ClassifierInstance {
        let create = vtable.pointee.create!
        let out = try HostServices.instance(info.name) { out in
            parameters.withCValues { values, count in create(info.host, values, count, &out) }
        }
        return ClassifierInstance(plugin: self, handle: out)
    }
}

