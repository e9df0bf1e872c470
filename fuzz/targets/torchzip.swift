// Fuzz target: a torch.save zip file (central directory, zip64, data.pkl, storages) opened as a checkpoint and
// every tensor converted.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = FuzzInput.file(UnsafeRawBufferPointer(start: data, count: size), name: "input.ckpt")
    guard let checkpoint = try? TorchCheckpoint(path: path) else { return 0 }
    for key in checkpoint.keys { _ = try? checkpoint.tensor(key) }
    return 0
}
