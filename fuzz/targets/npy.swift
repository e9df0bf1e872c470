// Fuzz target: an .npy file (header dict, then data) decoded and converted to floats.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    if let a = try? NpyArray.decode(bytes, path: "input.npy") { _ = a.floats() }
    return 0
}
