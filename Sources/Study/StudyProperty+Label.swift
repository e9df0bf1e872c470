// A property's label of one image, computed by its labeler with the generated image passed along (estimators
// such as world-depth label from it; importers read their file and ignore it).
import FileFormats
import PluginHost

extension StudyProperty {
    /// F32 [height, width]; `image` is the generated image (any PNG: converted to 8-bit RGB), nil for importers.
    public func label(imageID: String, image: PNGImage?, height: Int, width: Int) throws -> [Float] {
        do {
            guard let image else { return try labeler.load(imageID: imageID, height: height, width: width) }
            return try labeler.load(imageID: imageID, height: height, width: width, image: StudyProperty.rgbBytes(image),
                                    imageHeight: image.height, imageWidth: image.width)
        } catch {
            throw StudyError.plugin("label '\(name)' of image \(imageID) by \(labeler.plugin.info.name): \(error)")
        }
    }

    /// 8-bit RGB [H, W, 3] from a PNG of 1–4 channels (grey repeated, alpha dropped; 16-bit → high byte).
    public static func rgbBytes(_ img: PNGImage) -> [UInt8] {
        let n = img.width * img.height, c = img.channels
        let src: [UInt8] = img.bitDepth == 16 ? img.words.map { UInt8($0 >> 8) } : img.bytes
        if c == 3 { return src }
        var out = [UInt8](repeating: 0, count: n * 3)
        for p in 0..<n {
            for k in 0..<3 { out[p * 3 + k] = src[p * c + (c >= 3 ? k : 0)] }
        }
        return out
    }
}
