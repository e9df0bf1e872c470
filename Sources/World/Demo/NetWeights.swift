// World: loads a demo network's safetensors file strictly — every expected key with its exact shape, nothing else.
import Tensor
import Weights

/// The weights of one small network, keyed by PyTorch module names (tools/demo/common.py).
struct NetWeights {
    let path: String
    private var tensors: [String: Tensor] = [:]

    /// Reads `path`; `expected` maps each key to its shape. Fails on a missing, unexpected or misshapen tensor.
    init(path: String, expected: [String: [Int]]) throws {
        self.path = path
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile(path: path)
        } catch {
            throw WorldError.badWeights(file: path, reason: "\(error)")
        }
        let extra = Set(file.keys).subtracting(expected.keys)
        guard extra.isEmpty else {
            throw WorldError.badWeights(file: path, reason: "unexpected keys \(extra.sorted().prefix(5))")
        }
        for (key, shape) in expected {
            guard let found = file.shape(key) else {
                throw WorldError.badWeights(file: path, reason: "missing key \(key)")
            }
            guard found == shape else {
                throw WorldError.badWeights(file: path, reason: "\(key) has shape \(found), expected \(shape)")
            }
            do {
                tensors[key] = try file.tensor(key)
            } catch {
                throw WorldError.badWeights(file: path, reason: "\(key): \(error)")
            }
        }
    }

    subscript(_ key: String) -> Tensor { tensors[key]! }

    /// Expected shapes of a Conv2d named `name`.
    static func conv(_ name: String, _ cout: Int, _ cin: Int, _ k: Int) -> [(String, [Int])] {
        [("\(name).weight", [cout, cin, k, k]), ("\(name).bias", [cout])]
    }
}
