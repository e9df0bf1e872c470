// `ldmprobe pipeline --from-disk`: labels every image of a stored run once, through its labeler plugin with the
// generated image passed along (estimators such as world-depth need it), and stores them as
// labels/<property>/<id>.npy, float32 [H, W]; the probe study then reads them with the `generic` importer.
// (The streamed pipeline labels each image in memory as it is generated instead.)
import FileFormats
import Foundation
import PluginHost

public enum LabelMaterializer {
    /// Writes `folder/<id>.npy` for every id of `run` (existing files are kept); returns the label kind.
    public static func write(labeler: LabelerInstance, run: RunActivations, height: Int, width: Int, to folder: URL,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> LabelKind {
        // The folder ends in the label's name (labels/<name>): a name like "../../x" must not climb out.
        guard !folder.pathComponents.contains(".."), let name = folder.pathComponents.last else {
            throw SafePathError.unsafe(what: "label folder", value: folder.path, problem: "contains '..'")
        }
        try SafePath.checkName(name, what: "label name")
        try AtomicFile.createFolder(folder)
        for (i, id) in run.ids.enumerated() {
            let url = try SafePath.join(folder, id + ".npy", what: "label file of image id")
            if FileManager.default.fileExists(atPath: url.path) { continue }
            var rgb: [UInt8]? = nil
            var ih = 0, iw = 0
            if let imageURL = run.imageURL(id) {
                let img = try PNGImage.read(imageURL)
                rgb = StudyProperty.rgbBytes(img)
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
}
