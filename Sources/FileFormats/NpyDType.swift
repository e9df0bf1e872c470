// The element types ldmprobe reads and writes in .npy files (numpy's `descr` strings), always little-endian.

/// An .npy element type. Raw values are numpy `descr` strings as written.
public enum NpyDType: String, CaseIterable, Sendable {
    case float32 = "<f4"
    case float16 = "<f2"
    case uint8 = "|u1"
    case int64 = "<i8"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float32: return 4
        case .float16: return 2
        case .uint8: return 1
        case .int64: return 8
        }
    }

    /// Parses a numpy descr. Accepts the spellings numpy uses for these types ('<f4', '|u1', '<u1', '|i8' is not
    /// valid numpy and is rejected). Big-endian types are reported separately by `NpyHeader`.
    public init?(descr: String) {
        switch descr {
        case "<f4", "=f4": self = .float32
        case "<f2", "=f2": self = .float16
        case "|u1", "<u1", "=u1", ">u1": self = .uint8
        case "<i8", "=i8": self = .int64
        default: return nil
        }
    }
}
