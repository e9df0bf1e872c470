// NumpyPickle: reads a pickled numpy float array through a tiny pickle machine that knows only the opcodes such
// a file uses and calls only an allow-list of constructors — ndarray reconstruction, dtype, _frombuffer and
// latin-1 _codecs.encode — and builds them itself. Anything else (another global, an unknown opcode, a
// non-float array) is refused: no code ever runs. LabelFile uses it for protocol-5 pickles (numpy's
// `_frombuffer` reduction), which the team's Weights.NumpyPickle does not read; older protocols go there.
import Foundation

/// A float array decoded from a pickle: shape and values (row-major).
struct PickledArray {
    var shape: [Int]
    var values: [Float]
}

enum NumpyPickleError: Error, CustomStringConvertible {
    case refused(path: String, reason: String)
    case corrupt(path: String, reason: String)

    var description: String {
        switch self {
        case let .refused(path, reason):
            return "\(path): refused pickle: \(reason) (only a plain pickled numpy float array is accepted; re-save the label as .npy)"
        case let .corrupt(path, reason):
            return "\(path): corrupt pickle: \(reason)"
        }
    }
}

enum NumpyPickle {
    /// Globals the machine may name, and what each is.
    private static let allowed: [String: Callable] = [
        "numpy.core.multiarray._reconstruct": .reconstruct, "numpy._core.multiarray._reconstruct": .reconstruct,
        "numpy.ndarray": .ndarray, "numpy.dtype": .dtype,
        "numpy.core.numeric._frombuffer": .frombuffer, "numpy._core.numeric._frombuffer": .frombuffer,
        "_codecs.encode": .encode,
    ]

    enum Callable { case reconstruct, ndarray, dtype, frombuffer, encode }

    indirect enum Value {
        case none, bool(Bool), int(Int), string(String), bytes([UInt8]), tuple([Value]), list([Value])
        case global(Callable), dtype(descr: String, order: String), emptyArray, array(PickledArray), mark
    }

    static func read(_ url: URL) throws -> PickledArray {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw NumpyPickleError.corrupt(path: url.path, reason: "cannot read the file")
        }
        return try decode([UInt8](data), path: url.path)
    }

    static func decode(_ b: [UInt8], path: String) throws -> PickledArray {
        var pos = 0
        var stack: [Value] = []
        var memo: [Int: Value] = [:]
        func refuse(_ r: String) -> Error { NumpyPickleError.refused(path: path, reason: r) }
        func corrupt(_ r: String) -> Error { NumpyPickleError.corrupt(path: path, reason: r) }
        func take(_ n: Int) throws -> ArraySlice<UInt8> {
            guard n >= 0, pos + n <= b.count else { throw corrupt("ends early at byte \(pos)") }
            defer { pos += n }
            return b[pos..<pos + n]
        }
        func uint(_ n: Int) throws -> Int {
            var v = 0
            for (i, x) in try take(n).enumerated() { v |= Int(x) << (8 * i) }
            return v
        }
        func line() throws -> String {
            guard let nl = b[pos...].firstIndex(of: 0x0A), nl - pos < 256 else { throw corrupt("unterminated line") }
            defer { pos = nl + 1 }
            return String(decoding: b[pos..<nl], as: UTF8.self)
        }
        func pop() throws -> Value {
            guard let v = stack.popLast() else { throw corrupt("stack underflow at byte \(pos)") }
            return v
        }
        func popMark() throws -> [Value] {
            guard let m = stack.lastIndex(where: { if case .mark = $0 { return true }; return false }) else {
                throw corrupt("no MARK")
            }
            let items = Array(stack[(m + 1)...])
            stack.removeSubrange(m...)
            return items
        }
        func global(_ module: String, _ name: String) throws -> Value {
            guard let c = allowed["\(module).\(name)"] else { throw refuse("global \(module).\(name) is not allowed") }
            return .global(c)
        }
        // A float array's pickle builds a handful of tuples and lists; capping them bounds the nesting depth, which
        // freeing the values walks recursively (100 000 nested tuples would overflow the stack).
        var containers = 0
        while true {
            let op = try take(1).first!
            if [0x29, 0x74, 0x85, 0x86, 0x87, 0x5D, 0x6C, 0x61, 0x65].contains(op) {
                containers += 1
                guard containers <= 1000 else { throw refuse("more than 1000 tuples and lists: not a plain array") }
            }
            switch op {
            case 0x80: _ = try take(1)                                   // PROTO
            case 0x95: _ = try take(8)                                   // FRAME
            case 0x2E:                                                   // STOP
                guard case .array(let a)? = stack.last else { throw refuse("the pickle is not a numpy array") }
                return a
            case 0x28: stack.append(.mark)                              // MARK
            case 0x63: stack.append(try global(try line(), try line())) // GLOBAL
            case 0x93:                                                   // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw corrupt("STACK_GLOBAL needs two strings")
                }
                stack.append(try global(module, name))
            case 0x71: memo[try uint(1)] = stack.last                   // BINPUT
            case 0x72: memo[try uint(4)] = stack.last                   // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last                    // MEMOIZE
            case 0x70: memo[Int(try line()) ?? -1] = stack.last         // PUT
            case 0x68, 0x6A, 0x67:                                      // BINGET, LONG_BINGET, GET
                let k = op == 0x68 ? try uint(1) : op == 0x6A ? try uint(4) : (Int(try line()) ?? -1)
                guard let v = memo[k] else { throw corrupt("memo \(k) missing") }
                stack.append(v)
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try uint(4))))) // BININT
            case 0x4B: stack.append(.int(try uint(1)))                  // BININT1
            case 0x4D: stack.append(.int(try uint(2)))                  // BININT2
            case 0x8A:                                                   // LONG1
                let n = try uint(1)
                guard n <= 8 else { throw refuse("integer of \(n) bytes") }
                var v = 0
                for (i, x) in try take(n).enumerated() { v |= Int(x) << (8 * i) }
                if n > 0 && n < 8 && (v >> (8 * n - 1)) & 1 == 1 { v -= 1 << (8 * n) }
                stack.append(.int(v))
            case 0x4E: stack.append(.none)                              // NONE
            case 0x88: stack.append(.bool(true))                        // NEWTRUE
            case 0x89: stack.append(.bool(false))                       // NEWFALSE
            case 0x29: stack.append(.tuple([]))                         // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))              // TUPLE
            case 0x85, 0x86, 0x87:                                      // TUPLE1/2/3
                let n = Int(op) - 0x84
                guard stack.count >= n else { throw corrupt("stack underflow") }
                let items = Array(stack.suffix(n))
                stack.removeLast(n)
                stack.append(.tuple(items))
            case 0x5D: stack.append(.list([]))                          // EMPTY_LIST
            case 0x61:                                                   // APPEND
                let v = try pop()
                guard case .list(let l) = try pop() else { throw corrupt("APPEND to a non-list") }
                stack.append(.list(l + [v]))
            case 0x65:                                                   // APPENDS
                let items = try popMark()
                guard case .list(let l) = try pop() else { throw corrupt("APPENDS to a non-list") }
                stack.append(.list(l + items))
            case 0x8C, 0x58, 0x8D:                                      // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
                let n = try uint(op == 0x8C ? 1 : op == 0x58 ? 4 : 8)
                stack.append(.string(String(decoding: try take(n), as: UTF8.self)))
            case 0x43, 0x42, 0x8E, 0x96, 0x55, 0x54:                    // (SHORT_)BINBYTES(8), BYTEARRAY8, (SHORT_)BINSTRING
                let n = try uint(op == 0x43 || op == 0x55 ? 1 : op == 0x42 || op == 0x54 ? 4 : 8)
                stack.append(.bytes(Array(try take(n))))
            case 0x52:                                                   // REDUCE
                let args = try pop(), f = try pop()
                guard case .global(let c) = f, case .tuple(let a) = args else { throw refuse("REDUCE of a non-allowed callable") }
                stack.append(try call(c, a, refuse: refuse))
            case 0x62:                                                   // BUILD
                let state = try pop(), obj = try pop()
                stack.append(try build(obj, state, refuse: refuse))
            default:
                throw refuse(String(format: "opcode 0x%02X at byte %d is not allowed", op, pos - 1))
            }
            if stack.count > 10_000 { throw refuse("stack deeper than 10000") }
        }
    }

    private static func call(_ c: Callable, _ a: [Value], refuse: (String) -> Error) throws -> Value {
        switch c {
        case .reconstruct:
            guard a.count == 3, case .global(.ndarray) = a[0] else { throw refuse("_reconstruct of something other than ndarray") }
            return .emptyArray
        case .dtype:
            guard let first = a.first, case .string(let descr) = first else { throw refuse("dtype without a type string") }
            return .dtype(descr: descr, order: "=")
        case .encode:
            guard a.count == 2, case .string(let s) = a[0], case .string(let enc) = a[1], enc == "latin1" else {
                throw refuse("_codecs.encode other than latin1")
            }
            var out: [UInt8] = []
            for u in s.unicodeScalars {
                guard u.value < 256 else { throw refuse("latin1 string holds U+\(String(u.value, radix: 16))") }
                out.append(UInt8(u.value))
            }
            return .bytes(out)
        case .frombuffer:
            guard a.count == 4, case .bytes(let raw) = a[0], case .dtype(let descr, let order) = a[1],
                  case .tuple(let dims) = a[2], case .string(let o) = a[3] else { throw refuse("unexpected _frombuffer arguments") }
            return .array(try makeArray(raw, descr: descr, order: order, dims: dims, fortran: o == "F", refuse: refuse))
        case .ndarray:
            throw refuse("ndarray called directly")
        }
    }

    private static func build(_ obj: Value, _ state: Value, refuse: (String) -> Error) throws -> Value {
        switch obj {
        case .dtype(let descr, _):
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
            guard case .tuple(let s) = state, s.count >= 2, case .string(let order) = s[1] else { throw refuse("odd dtype state") }
            if s.count > 3, case .none = s[3] {} else if s.count > 3 { throw refuse("structured dtype") }
            return .dtype(descr: descr, order: order)
        case .emptyArray:
            // (version, shape, dtype, is_fortran, rawdata)
            guard case .tuple(let s) = state, s.count == 5, case .tuple(let dims) = s[1],
                  case .dtype(let descr, let order) = s[2], case .bool(let fortran) = s[3] else { throw refuse("odd ndarray state") }
            guard case .bytes(let raw) = s[4] else { throw refuse("ndarray data is not raw bytes (object array?)") }
            return .array(try makeArray(raw, descr: descr, order: order, dims: dims, fortran: fortran, refuse: refuse))
        default:
            throw refuse("BUILD of something other than an ndarray or dtype")
        }
    }

    private static func makeArray(_ raw: [UInt8], descr: String, order: String, dims: [Value], fortran: Bool,
                                  refuse: (String) -> Error) throws -> PickledArray {
        var shape: [Int] = []
        for d in dims {
            guard case .int(let n) = d, n >= 0, n <= 1 << 28 else { throw refuse("bad shape") }
            shape.append(n)
        }
        let count = shape.reduce(1, *)
        let size: Int
        switch descr {
        case "f2": size = 2
        case "f4": size = 4
        case "f8": size = 8
        default: throw refuse("dtype '\(descr)' is not a float type")
        }
        guard raw.count == count * size else { throw refuse("\(raw.count) data bytes for \(count) × \(size)") }
        let big = order == ">"
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for k in 0..<size { bits |= UInt64(raw[i * size + (big ? size - 1 - k : k)]) << (8 * k) }
            switch size {
            case 2: values[i] = Float(Float16(bitPattern: UInt16(bits)))
            case 4: values[i] = Float(bitPattern: UInt32(bits))
            default: values[i] = Float(Double(bitPattern: bits))
            }
        }
        if fortran && shape.count > 1 {
            // Column-major data: element (i0, …, ik) at Σ i_j · Π_{l<j} n_l; rewrite row-major.
            var out = [Float](repeating: 0, count: count)
            var idx = [Int](repeating: 0, count: shape.count)
            for r in 0..<count {
                var f = 0, mul = 1
                for j in 0..<shape.count { f += idx[j] * mul; mul *= shape[j] }
                out[r] = values[f]
                var j = shape.count - 1
                while j >= 0 { idx[j] += 1; if idx[j] < shape[j] { break }; idx[j] = 0; j -= 1 }
            }
            values = out
        }
        return PickledArray(shape: shape, values: values)
    }
}
