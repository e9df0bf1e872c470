// Fuzz target: a torch.save zip file (central directory, zip64, data.pkl, storages) opened as a checkpoint and
// every tensor converted.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withFile(data, size, name: "input.ckpt") { path in
        let c = try TorchCheckpoint(path: path); for k in c.keys { _ = try? c.tensor(k) }   // every view converted
    }
    return 0
}
