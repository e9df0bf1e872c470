// Fuzz target: a PNG file read through libpng's simplified API in every read format.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = URL(fileURLWithPath: FuzzInput.file(UnsafeRawBufferPointer(start: data, count: size), name: "input.png"))
    for format in [PNGImage.ReadFormat.native, .rgb8, .gray8, .gray16] {
        if let image = try? PNGImage.read(url, as: format) { _ = image.floats() }
    }
    return 0
}
