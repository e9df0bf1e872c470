// World: reads one tensor's shape from a safetensors header (used to learn a net's width before loading it).
import Weights

enum SafetensorsFileShape {
    static func shape(path: String, key: String) throws -> [Int] {
        let file = try SafetensorsFile(path: path)
        guard let s = file.shape(key) else { throw WorldError.badWeights(file: path, reason: "missing key \(key)") }
        return s
    }
}
