// NumpyPickle: a restricted reader for pickles of plain numpy arrays (.pkl files such as MiDaS/Intrinsic label
// dumps: an array, or dicts/lists of arrays). Only numpy's array/dtype/scalar reconstruction and _codecs.encode
// (protocol-2 bytes) are allowed; object arrays, big-endian data and everything else are refused.
import Foundation
import Tensor

/// A numpy array from a pickle, converted to float32 in C order.
public struct NumpyArrayValue {
    public var shape: [Int]
    /// The stored dtype (converted values are float32 either way).
    public var dtype: WeightDType
    public var values: [Float]
    public var tensor: Tensor { Tensor(shape: shape, data: values) }
}

public enum NumpyPickle {
    /// numpy dtype.str codes → element type.
    static let dtypeCodes: [String: WeightDType] = [
        "f4": .f32, "f2": .f16, "f8": .f64, "i8": .i64, "i4": .i32, "i2": .i16, "i1": .i8, "u1": .u8, "b1": .bool,
    ]

    private final class DTypeBox {
        var type: WeightDType
        var bigEndian = false
        init(_ type: WeightDType) { self.type = type }
    }

    /// numpy scalars, dtypes and _codecs.encode — the data-only globals torch checkpoints may also contain.
    public static func scalarAllowList(file: String) -> PickleAllowList {
        var allow = PickleAllowList()
        func bad(_ reason: String) -> WeightSourceError { .badPickle(file: file, reason: reason) }
        allow.calls["_codecs.encode"] = { args in
            guard let s = args.first?.asString else { throw bad("_codecs.encode of a non-string") }
            var bytes: [UInt8] = []
            for u in s.unicodeScalars {
                guard u.value < 256 else { throw bad("_codecs.encode: character beyond latin1") }
                bytes.append(UInt8(u.value))
            }
            return .bytes(bytes)
        }
        let makeDType: PickleAllowList.Call = { args in
            guard var code = args.first?.asString else { throw bad("numpy.dtype without a type code") }
            if let first = code.first, "<>|=".contains(first) { code.removeFirst() }
            guard let t = dtypeCodes[code] else { throw bad("numpy dtype '\(code)' is not a plain numeric type") }
            return .object(PickleObject(type: "numpy.dtype", payload: DTypeBox(t)))
        }
        allow.calls["numpy.dtype"] = makeDType
        let scalar: PickleAllowList.Call = { args in
            guard args.count == 2, let box = args[0].asObject?.payload as? DTypeBox, case .bytes(let raw) = args[1],
                  raw.count == box.type.itemSize else { throw bad("numpy scalar with unexpected arguments") }
            var v: Float = 0
            raw.withUnsafeBytes { box.type.convert($0.baseAddress!, count: 1, into: &v) }
            return .float(Double(v))
        }
        allow.calls["numpy.core.multiarray.scalar"] = scalar
        allow.calls["numpy._core.multiarray.scalar"] = scalar
        allow.build = { object, state in try build(object, state, file: file) }
        return allow
    }

    /// The allow-list for pickled numpy arrays.
    public static func allowList(file: String) -> PickleAllowList {
        var allow = scalarAllowList(file: file)
        func bad(_ reason: String) -> WeightSourceError { .badPickle(file: file, reason: reason) }
        allow.values.insert("numpy.ndarray")
        let reconstruct: PickleAllowList.Call = { args in
            guard case .global("numpy.ndarray") = args.first else { throw bad("_reconstruct of a non-ndarray class") }
            return .object(PickleObject(type: "numpy.ndarray", payload: NumpyArrayValue(shape: [0], dtype: .f32, values: [])))
        }
        allow.calls["numpy.core.multiarray._reconstruct"] = reconstruct
        allow.calls["numpy._core.multiarray._reconstruct"] = reconstruct
        // Protocol 5: _frombuffer(buffer, dtype, shape, order) with the buffer in-band (BYTEARRAY8).
        let frombuffer: PickleAllowList.Call = { args in
            guard args.count == 4, case .bytes(let raw) = args[0], let box = args[1].asObject?.payload as? DTypeBox,
                  let shape = args[2].asTuple?.compactMap(\.asInt), let order = args[3].asString else {
                throw bad("_frombuffer with unexpected arguments")
            }
            let object = PickleObject(type: "numpy.ndarray", payload: NumpyArrayValue(shape: [0], dtype: .f32, values: []))
            let state = PickleValue.tuple([.int(1), .tuple(shape.map { .int($0) }), args[1], .bool(order == "F"),
                                           .bytes(raw)])
            _ = box
            try build(object, state, file: file)
            return .object(object)
        }
        allow.calls["numpy.core.numeric._frombuffer"] = frombuffer
        allow.calls["numpy._core.numeric._frombuffer"] = frombuffer
        return allow
    }

    /// BUILD (__setstate__) of a dtype or an ndarray.
    private static func build(_ object: PickleObject, _ state: PickleValue, file: String) throws {
        func bad(_ reason: String) -> WeightSourceError { .badPickle(file: file, reason: reason) }
        guard let s = state.asTuple else { throw bad("\(object.type) state is not a tuple") }
        if let box = object.payload as? DTypeBox {
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags)
            if s.count > 1, s[1].asString == ">", box.type.itemSize > 1 { box.bigEndian = true }
            return
        }
        guard object.payload is NumpyArrayValue else { throw bad("BUILD on \(object.type)") }
        // (version, shape, dtype, is_fortran, rawdata)
        guard s.count == 5, let shape = s[1].asTuple?.compactMap(\.asInt),
              let box = s[2].asObject?.payload as? DTypeBox, let fortran = s[3].asInt else {
            throw bad("ndarray state is not (version, shape, dtype, is_fortran, data)")
        }
        guard !box.bigEndian else { throw bad("big-endian arrays are not supported") }
        let raw: [UInt8]
        switch s[4] {
        case .bytes(let b): raw = b
        case .string(let str): raw = str.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }  // py2 str
        default: throw bad("ndarray data is not bytes (object arrays are refused)")
        }
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), raw.count == count * box.type.itemSize else {
            throw WeightSourceError.corrupt(file: file, tensor: "ndarray \(shape)",
                reason: "\(raw.count) bytes do not hold shape \(shape) of \(box.type.rawValue)")
        }
        var values = [Float](repeating: 0, count: count)
        raw.withUnsafeBytes { src in
            values.withUnsafeMutableBufferPointer { dst in
                if count > 0 { box.type.convert(src.baseAddress!, count: count, into: dst.baseAddress!) }
            }
        }
        if fortran != 0, shape.count > 1 { values = fortranToC(values, shape: shape) }
        object.payload = NumpyArrayValue(shape: shape, dtype: box.type, values: values)
    }

    private static func fortranToC(_ v: [Float], shape: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: v.count)
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<v.count {
            var f = 0, mul = 1
            for d in 0..<shape.count { f += index[d] * mul; mul *= shape[d] }
            out[i] = v[f]
            var d = shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// Unpickles a whole .pkl file of plain numpy data.
    public static func load(path: String) throws -> PickleValue {
        let file = try MappedFile(path: path)
        return try RestrictedUnpickler(data: file.bytes, file: path, allowList: allowList(file: path)).load()
    }

    /// Every array in a .pkl file by path: "" for a bare array, dict keys and list indices joined with ".".
    public static func arrays(path: String) throws -> [String: NumpyArrayValue] {
        var out: [String: NumpyArrayValue] = [:]
        var budget = TorchCheckpoint.maxVisits
        try collect(try load(path: path), prefix: "", into: &out, budget: &budget, file: path)
        return out
    }

    /// Walks at most `budget` values: containers shared through the memo can expand into exponentially many.
    private static func collect(_ value: PickleValue, prefix: String, into out: inout [String: NumpyArrayValue],
                                budget: inout Int, file: String) throws {
        budget -= 1
        guard budget >= 0 else {
            throw WeightSourceError.badPickle(file: file, reason: "more than \(TorchCheckpoint.maxVisits) values (containers shared many times over?)")
        }
        func collect(_ v: PickleValue, prefix: String, into out: inout [String: NumpyArrayValue]) throws {
            try NumpyPickle.collect(v, prefix: prefix, into: &out, budget: &budget, file: file)
        }
        func join(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
        switch value {
        case .object(let o): if let a = o.payload as? NumpyArrayValue { out[prefix] = a }
        case .dict(let d):
            for (k, v) in d.items {
                switch k {
                case .string(let s): try collect(v, prefix: join(s), into: &out)
                case .int(let i): try collect(v, prefix: join(String(i)), into: &out)
                default: continue
                }
            }
        case .list, .tuple:
            for (i, v) in (value.asTuple ?? []).enumerated() { try collect(v, prefix: join(String(i)), into: &out) }
        default: break
        }
    }
}
