// The .npy header (format versions 1.0, 2.0 and 3.0): magic, version, header length, then a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (1, 4, 64, 64), } padded with spaces to a multiple of 64 bytes
// and ended by '\n'. See numpy/lib/format.py.

/// A parsed .npy header.
public struct NpyHeader: Equatable, Sendable {
    public var dtype: NpyDType
    public var shape: [Int]
    /// Byte offset of the first element from the start of the file.
    public var dataOffset: Int

    /// Number of elements (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }
    /// Bytes of element data the header announces.
    public var dataBytes: Int { count * dtype.itemSize }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59] // "\x93NUMPY"

    /// Parses the header at the start of `bytes` (the whole file or at least its header). `path` names the file in
    /// errors.
    public static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NpyHeader {
        guard bytes.count >= 10 else {
            if bytes.count < 6 || !bytes.prefix(6).elementsEqual(magic.prefix(bytes.count)) {
                throw FileFormatsError.corrupt(path: path, reason: "not an .npy file (no \\x93NUMPY magic)")
            }
            throw FileFormatsError.truncated(path: path, expectedBytes: 10, actualBytes: bytes.count)
        }
        guard bytes.prefix(6).elementsEqual(magic) else {
            throw FileFormatsError.corrupt(path: path, reason: "not an .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let prefixLength: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            prefixLength = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw FileFormatsError.truncated(path: path, expectedBytes: 12, actualBytes: bytes.count)
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            prefixLength = 12
        default:
            throw FileFormatsError.unsupported(path: path, reason: ".npy format version \(major).\(bytes[7]) (known: 1, 2, 3)")
        }
        let end = prefixLength + headerLength
        guard bytes.count >= end else {
            throw FileFormatsError.truncated(path: path, expectedBytes: end, actualBytes: bytes.count)
        }
        guard let text = String(bytes: bytes[prefixLength ..< end], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw FileFormatsError.corrupt(path: path, reason: "header is not text")
        }
        let dict = try parseDict(text, path: path)
        return NpyHeader(dtype: dict.dtype, shape: dict.shape, dataOffset: end)
    }

    /// Encodes a header (version 1.0 when it fits, else 2.0) padded so that data starts on a 64-byte boundary.
    public static func encode(dtype: NpyDType, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Version 1 (2-byte header length) unless the padded header would not fit in 65535 bytes; then version 2.
        func padded(_ prefix: Int) -> Int { (prefix + dict.utf8.count + 1 + 63) / 64 * 64 }
        let version: UInt8 = padded(10) - 10 <= 65535 ? 1 : 2
        let prefix = version == 1 ? 10 : 12
        let total = padded(prefix)
        let headerLength = total - prefix
        var out = magic + [version, 0]
        if version == 1 {
            out += [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            out += (0 ..< 4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) }
        }
        out += Array(dict.utf8)
        out += [UInt8](repeating: 0x20, count: total - out.count - 1)
        out.append(0x0A)
        return out
    }

    // MARK: the dict literal

    private static func parseDict(_ text: String, path: String) throws -> (dtype: NpyDType, shape: [Int]) {
        func value(of key: String) throws -> Substring {
            guard let keyRange = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else {
                throw FileFormatsError.corrupt(path: path, reason: "header has no '\(key)' entry: \(text.trimmed)")
            }
            var rest = text[keyRange.upperBound...].drop(while: { $0 == " " })
            guard rest.first == ":" else {
                throw FileFormatsError.corrupt(path: path, reason: "header entry '\(key)' has no value: \(text.trimmed)")
            }
            rest = rest.dropFirst().drop(while: { $0 == " " })
            return rest
        }
        // descr: a quoted string.
        let descrRest = try value(of: "descr")
        guard let quote = descrRest.first, quote == "'" || quote == "\"",
              let close = descrRest.dropFirst().firstIndex(of: quote) else {
            throw FileFormatsError.unsupported(path: path, reason: "structured dtype in header: \(text.trimmed)")
        }
        let descr = String(descrRest[descrRest.index(after: descrRest.startIndex) ..< close])
        guard let dtype = NpyDType(descr: descr) else {
            let known = NpyDType.allCases.map(\.rawValue).joined(separator: ", ")
            let hint = descr.hasPrefix(">") ? " (big-endian; convert with arr.astype('<…'))" : ""
            throw FileFormatsError.unsupported(path: path, reason: "dtype '\(descr)'\(hint); supported: \(known)")
        }
        // fortran_order: True/False.
        let fortran = try value(of: "fortran_order")
        if fortran.hasPrefix("True") {
            throw FileFormatsError.unsupported(path: path,
                reason: "fortran_order True (save with np.ascontiguousarray first)")
        } else if !fortran.hasPrefix("False") {
            throw FileFormatsError.corrupt(path: path, reason: "fortran_order is neither True nor False")
        }
        // shape: a tuple of non-negative integers.
        let shapeRest = try value(of: "shape")
        guard shapeRest.first == "(", let closeParen = shapeRest.firstIndex(of: ")") else {
            throw FileFormatsError.corrupt(path: path, reason: "shape is not a tuple: \(text.trimmed)")
        }
        let inner = shapeRest[shapeRest.index(after: shapeRest.startIndex) ..< closeParen]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            var token = part.trimming(" ")
            if token.hasSuffix("L") { token.removeLast() } // Python 2 longs
            if token.isEmpty { continue }
            guard let dim = Int(token), dim >= 0 else {
                throw FileFormatsError.corrupt(path: path, reason: "shape entry '\(part)' is not a size")
            }
            shape.append(dim)
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Int(Int32.max) * 64 else {
                throw FileFormatsError.corrupt(path: path, reason: "shape \(shape) is implausibly large")
            }
            count = product
        }
        return (dtype, shape)
    }
}

extension StringProtocol {
    var trimmed: String { trimming(" \n") }

    func trimming(_ set: String) -> String {
        var sub = Substring(self)
        while let c = sub.first, set.contains(c) { sub = sub.dropFirst() }
        while let c = sub.last, set.contains(c) { sub = sub.dropLast() }
        return String(sub)
    }
}
