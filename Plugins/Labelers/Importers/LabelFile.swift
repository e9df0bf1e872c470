// Reading one label file into a single-channel float map, whatever its format:
//   .npy  float16/32/64 or integer, shape [H, W], [1, H, W] or [H, W, 1]      (FileFormats.NpyArray)
//   .pfm  MiDaS's write_pfm, gray ("Pf"); colour files keep channel 0         (FileFormats.PFMImage)
//   .png  8- or 16-bit, gray or RGB (channel 0); raw sample values or [0, 1] by the `png` parameter
//   .pkl  a pickled numpy float array, through Weights.NumpyPickle's restricted reader (the original study's
//         depth maps; protocols 0–5)
import FileFormats
import Foundation
import Weights

/// A single-channel map [height, width], row-major.
struct LabelMap {
    var height: Int
    var width: Int
    var values: [Float]
}

enum LabelFile {
    static let formats = ["npy", "pfm", "png", "pkl"]

    /// Reads `url`; `pngUnit` divides PNG samples by 255 (8-bit) or 65535 (16-bit).
    static func read(_ url: URL, pngUnit: Bool) throws -> LabelMap {
        switch url.pathExtension.lowercased() {
        case "npy":
            let a = try NpyArray.read(url)
            return try squeeze(shape: a.shape, values: a.floats(), path: url.path)
        case "pfm":
            let p = try PFMImage.read(url)
            if p.channels == 1 { return LabelMap(height: p.height, width: p.width, values: p.values) }
            return LabelMap(height: p.height, width: p.width,
                            values: stride(from: 0, to: p.values.count, by: p.channels).map { p.values[$0] })
        case "png":
            let img = try PNGImage.read(url)
            let all = img.floats(normalized: pngUnit)
            let values = img.channels == 1 ? all : stride(from: 0, to: all.count, by: img.channels).map { all[$0] }
            return LabelMap(height: img.height, width: img.width, values: values)
        case "pkl", "pickle":
            let a = try readPickle(url)
            return try squeeze(shape: a.shape, values: a.values, path: url.path)
        default:
            throw PluginLabelError.unsupported("\(url.path): unknown label format '.\(url.pathExtension)' (supported: \(formats.joined(separator: ", ")))")
        }
    }

    /// A bare pickled numpy float array, through the team's restricted unpickler (Weights.NumpyPickle: only
    /// numpy's array, dtype and `_frombuffer` reconstruction are allowed, so no code ever runs). Anything other
    /// than a float array is refused.
    static func readPickle(_ url: URL) throws -> NumpyArrayValue {
        func refused(_ reason: String) -> PluginLabelError {
            .invalid("\(url.path): refused pickle: \(reason) (only a plain pickled numpy float array is accepted; "
                + "re-save the label as .npy)")
        }
        let value: PickleValue
        do { value = try NumpyPickle.load(path: url.path) } catch { throw refused("\(error)") }
        guard case .object(let o) = value, let a = o.payload as? NumpyArrayValue else {
            throw refused("the pickle holds \(String(describing: value).prefix(60)), not a bare numpy array")
        }
        guard [.f16, .f32, .f64].contains(a.dtype) else { throw refused("dtype \(a.dtype.rawValue) is not a float type") }
        return a
    }

    /// [H, W], [1, H, W] or [H, W, 1] → [H, W].
    static func squeeze(shape: [Int], values: [Float], path: String) throws -> LabelMap {
        let dims = shape.filter { $0 != 1 }
        guard shape.count >= 2, shape.count <= 3, dims.count <= 2 else {
            throw PluginLabelError.invalid("\(path): label array has shape \(shape); expected [H, W], [1, H, W] or [H, W, 1]")
        }
        if shape.count == 2 { return LabelMap(height: shape[0], width: shape[1], values: values) }
        if shape[0] == 1 { return LabelMap(height: shape[1], width: shape[2], values: values) }
        guard shape[2] == 1 else {
            throw PluginLabelError.invalid("\(path): label array has shape \(shape); expected [H, W], [1, H, W] or [H, W, 1]")
        }
        return LabelMap(height: shape[0], width: shape[1], values: values)
    }
}

/// The importers' errors (mapped onto ldmp_status by LabelImportersPlugin).
enum PluginLabelError: Error, CustomStringConvertible {
    case notFound(String)
    case invalid(String)
    case unsupported(String)

    var description: String {
        switch self { case .notFound(let m), .invalid(let m), .unsupported(let m): return m }
    }
}
