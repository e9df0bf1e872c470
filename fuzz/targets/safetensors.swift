// Fuzz target: a safetensors file (8-byte header length, JSON header, data) read as a WeightSource, every
// tensor converted.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, name: "input.safetensors") { path in
        let file = try SafetensorsFile(path: path)
        for key in file.keys { _ = try? file.tensor(key) }
    }
    return 0
}
