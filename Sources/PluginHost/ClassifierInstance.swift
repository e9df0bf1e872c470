// PluginHost — one classifier instance (classifier.h).
import PluginABI

/// One classifier instance. Use from one thread at a time.
public final class ClassifierInstance: @unchecked Sendable {
    public let plugin: ClassifierPlugin
    let handle: OpaquePointer
    let v: ldmp_classifier_vtable

    init(plugin: ClassifierPlugin, handle: OpaquePointer) {
        self.plugin = plugin
        self.handle = handle
        v = plugin.vtable.pointee
    }

    deinit { v.destroy!(handle) }

    private var name: String { plugin.info.name }

    /// Most classes a classifier may report: the host allocates [classCount] floats per image from it.
    public static let maxClasses = 1 << 20

    /// The plugin's class count, at most `maxClasses` (classify refuses a plugin that reports more).
    public var classCount: Int { min(Int(v.class_count!(handle)), Self.maxClasses) }

    public func className(_ index: Int) -> String? {
        guard index >= 0, index < classCount, let p = v.class_name!(handle, UInt32(index)) else { return nil }
        return String(cString: p)
    }

    public var classNames: [String] { (0..<classCount).map { className($0) ?? "class \($0)" } }

    /// image: U8 [height, width, 3] RGB. Returns softmax probabilities [classCount].
    public func classify(image: UnsafeBufferPointer<UInt8>, height: Int, width: Int) throws -> [Float] {
        try checkCount(image.count, [height, width, 3], "image", "classify", plugin: name)
        let reported = Int(v.class_count!(handle))
        guard (1...Self.maxClasses).contains(reported) else {
            throw PluginError.invalidInput(plugin: name, function: "class_count",
                                           reason: "\(reported) classes (valid: 1…\(Self.maxClasses))")
        }
        let n = reported
        var probs = [Float](repeating: 0, count: n)
        var img = HostTensor.view(UnsafeMutableRawPointer(mutating: image.baseAddress), LDMP_DTYPE_U8,
                                  [height, width, 3])
        try probs.withUnsafeMutableBufferPointer { buf in
            var p = HostTensor.float(buf.baseAddress, [n])
            try HostServices.check(name, "classify") { v.classify!(handle, &img, &p) }
        }
        return probs
    }

    public func classify(image: [UInt8], height: Int, width: Int) throws -> [Float] {
        try image.withUnsafeBufferPointer { try classify(image: $0, height: height, width: width) }
    }
}
