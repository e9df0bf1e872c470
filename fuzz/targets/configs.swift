// Fuzz target: a config.json read as the UNet's, the VAE's and the text encoder's config, each validated (what
// passes validation is what the model code is built from).
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let url = URL(fileURLWithPath: FuzzInput.file(UnsafeRawBufferPointer(start: data, count: size), name: "config.json"))
    if let c = try? UNetConfig.load(url) {
        for i in c.blockOutChannels.indices { _ = c.blockOutChannels[i] / c.heads(i) / c.normNumGroups }
    }
    if let c = try? VAEConfig.load(url) { for ch in c.blockOutChannels { _ = ch / c.normNumGroups } }
    if let c = try? CLIPTextConfig.load(url) { _ = c.hiddenSize / c.numAttentionHeads }
    return 0
}
