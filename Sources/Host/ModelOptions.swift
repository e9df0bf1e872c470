// Shared option group: which model (and tokenizer) to load.
import ArgumentParser

struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Model: a diffusers folder (unet/, vae/, text_encoder/, tokenizer/, scheduler/) or a "
                               + "single-file SD v1 checkpoint (.ckpt/.safetensors, with --tokenizer).", valueName: "path"))
    var model: String?

    @Option(help: ArgumentHelp("Tokenizer folder (vocab.json, merges.txt) when the model has no tokenizer/.",
                               valueName: "dir"))
    var tokenizer: String?

    @Option(help: "Which stored weights to read: auto (fp32, else fp16), fp32, or fp16 (where present).")
    var weightsVariant = "auto"

    @Option(help: ArgumentHelp("How conv/linear weights stay in memory: auto (as stored: a fp16 file's stay half, "
                               + "widened exactly per use), f32 (widened at load: 2× the RAM of a fp16 file, no "
                               + "per-call widening), or f16 (fp32 files rounded to half at load: half the RAM, "
                               + "a precision cost).", valueName: "auto|f32|f16"))
    var weightsInMemory = "auto"

    func validate() throws {
        guard ["auto", "fp32", "fp16"].contains(weightsVariant) else {
            throw ValidationError("--weights-variant \(weightsVariant): use auto, fp32 or fp16")
        }
        guard ["auto", "f32", "f16"].contains(weightsInMemory) else {
            throw ValidationError("--weights-in-memory \(weightsInMemory): use auto, f32 or f16")
        }
    }
}
