// Fuzz target: a .pfm file (MiDaS depth) decoded.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? PFMImage.decode(Data(bytes: data, count: size), path: "input.pfm")
    return 0
}
