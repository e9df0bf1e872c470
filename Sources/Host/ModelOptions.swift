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

    func validate() throws {
        guard ["auto", "fp32", "fp16"].contains(weightsVariant) else {
            throw ValidationError("--weights-variant \(weightsVariant): use auto, fp32 or fp16")
        }
    }
}
