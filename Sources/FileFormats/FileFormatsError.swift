// FileFormats: the on-disk formats every area shares (.npy, PNG, PFM, CSV, safetensors writing) and the atomic
// writer.
// Errors here name the file and the problem, and end with a hint; bad input never traps.

/// Everything that can go wrong reading or writing a shared file format.
public enum FileFormatsError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened, read, written or renamed.
    case io(path: String, message: String)
    /// The file ends before the data its header announces.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file's content is not valid for its format.
    case corrupt(path: String, reason: String)
    /// A valid file that uses a feature this reader does not support.
    case unsupported(path: String, reason: String)
    /// libpng refused the file; `message` is libpng's own (png_image.message).
    case png(path: String, message: String)
    /// A CSV row or header problem at a 1-based line.
    case csv(path: String, line: Int, reason: String)
    /// The values handed to a writer do not match the shape or size they claim.
    case invalidArgument(path: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, message):
            return "\(path): \(message) (check that the path exists and is writable/readable)"
        case let .truncated(path, expected, actual):
            return "\(path): truncated: expected \(expected) bytes of data, found \(actual) "
                + "(the file was probably cut off by an interrupted write; regenerate it)"
        case let .corrupt(path, reason):
            return "\(path): corrupt: \(reason) (regenerate the file)"
        case let .unsupported(path, reason):
            return "\(path): unsupported: \(reason)"
        case let .png(path, message):
            return "\(path): PNG error: \(message) (is it a complete PNG file?)"
        case let .csv(path, line, reason):
            return "\(path):\(line): \(reason)"  // each reason carries its own hint (CSVReader, PromptRow)
        case let .invalidArgument(path, reason):
            return "\(path): \(reason)"
        }
    }
}
