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
        var out: OpaquePointer?
        let create = vtable.pointee.create!
        try HostServices.check(info.name, "create") {
            parameters.withCValues { values, count in create(info.host, values, count, &out) }
        }
        guard let out else {
            throw PluginError.callFailed(plugin: info.name, function: "create", status: 0,
                                         message: "returned LDMP_OK but no instance")
        }
        return ClassifierInstance(plugin: self, handle: out)
    }
}

