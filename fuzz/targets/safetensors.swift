// Fuzz target: a safetensors file (8-byte header length, JSON header, data) read as a WeightSource, every
// tensor converted.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.file(UnsafeRawBufferPointer(start: data, count: size), name: "input.safetensors")
    guard let file = try? SafetensorsFile(path: path) else { return 0 }
    for key in file.keys { _ = try? file.tensor(key) }
    return 0
}
