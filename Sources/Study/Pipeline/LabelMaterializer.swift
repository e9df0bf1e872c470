// `ldmprobe pipeline`: labels every image of a run once, through its labeler plugin with the generated image passed
// along (estimators such as world-depth need it), and stores them as labels/<property>/<id>.npy, float32 [H, W].
// The probe study then reads them with the `generic` importer: labels are visible on disk and computed once.
import FileFormats
import Foundation
import PluginHost

public enum LabelMaterializer {
    /// Writes `folder/<id>.npy` for every id of `run` (existing files are kept); returns the label kind.
    public static func write(labeler: LabelerInstance, run: RunActivations, height: Int, width: Int, to folder: URL,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> LabelKind {
        try AtomicFile.createFolder(folder)
        for (i, id) in run.ids.enumerated() {
            let url = folder.appendingPathComponent(id + ".npy")
            if FileManager.default.fileExists(atPath: url.path) { continue }
            var rgb: [UInt8]? = nil
            var ih = 0, iw = 0
            if let imageURL = run.imageURL(id) {
                let img = try PNGImage.read(imageURL)
                rgb = rgbBytes(img)
                ih = img.height
                iw = img.width
            }
            let values: [Float]
            do {
                values = try labeler.load(imageID: id, height: height, width: width, image: rgb, imageHeight: ih,
                                          imageWidth: iw)
            } catch {
                throw StudyError.plugin("label of image \(id) by \(labeler.plugin.info.name): \(error)")
            }
            try NpyArray(float32: values, shape: [height, width]).write(to: url)
            progress(i + 1, run.ids.count)
        }
        return labeler.labelKind
    }

    /// 8-bit RGB [H, W, 3] from a PNG of 1–4 channels (grey repeated, alpha dropped; 16-bit → high byte).
    static func rgbBytes(_ img: PNGImage) -> [UInt8] {
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
