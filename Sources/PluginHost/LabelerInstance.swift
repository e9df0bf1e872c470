// PluginHost — one labeler instance (labeler.h).
import PluginABI

/// One labeler instance. Use from one thread at a time.
public final class LabelerInstance: @unchecked Sendable {
    public let plugin: LabelerPlugin
    let handle: OpaquePointer
    let v: ldmp_labeler_vtable

    init(plugin: LabelerPlugin, handle: OpaquePointer) {
        self.plugin = plugin
        self.handle = handle
        v = plugin.vtable.pointee
    }

    deinit { v.destroy!(handle) }

    private var name: String { plugin.info.name }

    public var labelKind: LabelKind { LabelKind(v.label_kind!(handle)) }

    /// The label of `imageID` as F32 [height, width]. image: the generated image, U8 [imageHeight, imageWidth, 3]
    /// (required by estimators). A missing label throws callFailed with LDMP_ERR_NOT_FOUND.
    public func load(imageID: String, height: Int, width: Int, image: [UInt8]? = nil, imageHeight: Int = 0,
                     imageWidth: Int = 0) throws -> [Float] {
        if let image { try checkCount(image.count, [imageHeight, imageWidth, 3], "image", "load", plugin: name) }
        var out = [Float](repeating: 0, count: height * width)
        var img = image ?? []
        try img.withUnsafeMutableBufferPointer { ib in
            try out.withUnsafeMutableBufferPointer { ob in
                var t = HostTensor.view(UnsafeMutableRawPointer(ib.baseAddress), LDMP_DTYPE_U8,
                                        [imageHeight, imageWidth, 3])
                var o = HostTensor.float(ob.baseAddress, [height, width])
                try HostServices.check(name, "load") {
                    imageID.withCString { id in
                        image == nil ? v.load!(handle, id, nil, &o) : v.load!(handle, id, &t, &o)
                    }
                }
            }
        }
        return out
    }

    /// True when the error thrown by `load` means "no label for this image".
    public static func isNotFound(_ error: Error) -> Bool {
        if case PluginError.callFailed(_, _, let status, _) = error {
            return status == Int32(bitPattern: LDMP_ERR_NOT_FOUND.rawValue)
        }
        return false
    }
}
