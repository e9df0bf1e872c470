// TorchPickle: the allow-list that lets RestrictedUnpickler read torch.save output (zip format) — tensors rebuilt
// from storages, parameters, OrderedDicts — and nothing that could run code. Shared by TorchCheckpoint (.ckpt,
// .pth, .pt) and by anyone with their own torch file (the VGG classifier reads torchvision .pth through it).

/// A storage named by a persistent id: ('storage', torch.FloatStorage, key, location, numel).
public struct TorchStorageRef {
    public var dtype: WeightDType
    public var key: String
    public var numel: Int
    /// The storage's bytes (numel × dtype size), checked when the id was loaded.
    public var bytes: UnsafeRawBufferPointer
}

/// A tensor as `torch._utils._rebuild_tensor_v2` describes it: a strided view of a storage.
public struct TorchTensorRef {
    public var storage: TorchStorageRef
    public var offset: Int
    public var shape: [Int]
    public var stride: [Int]

    /// The elements in row-major order, converted to float32 (any strides, offsets and shared storages).
    public func floats() -> [Float] {
        let count = shape.reduce(1, *)
        let item = storage.dtype.itemSize
        guard count > 0, let base = storage.bytes.baseAddress else { return [] }
        // Contiguous: one conversion.
        var expected = 1
        var contiguous = true
        for d in stride.indices.reversed() where shape[d] != 1 {
            if stride[d] != expected { contiguous = false; break }
            expected *= shape[d]
        }
        return [Float](unsafeUninitializedCapacity: count) { buf, initialized in
            if contiguous {
                storage.dtype.convert(base + offset * item, count: count, into: buf.baseAddress!)
            } else {
                var index = [Int](repeating: 0, count: shape.count)
                for i in 0..<count {
                    var element = offset
                    for d in 0..<shape.count { element += index[d] * stride[d] }
                    storage.dtype.convert(base + element * item, count: 1, into: buf.baseAddress! + i)
                    var d = shape.count - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < shape[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
            initialized = count
        }
    }
}

public enum TorchPickle {
    /// torch's typed storage classes and their element types.
    public static let storageTypes: [String: WeightDType] = [
        "torch.FloatStorage": .f32, "torch.HalfStorage": .f16, "torch.BFloat16Storage": .bf16,
        "torch.DoubleStorage": .f64, "torch.LongStorage": .i64, "torch.IntStorage": .i32,
        "torch.ShortStorage": .i16, "torch.CharStorage": .i8, "torch.ByteStorage": .u8, "torch.BoolStorage": .bool,
    ]

    /// The allow-list for torch.save files. `storage(key, dtype, numel)` returns that storage's bytes (for the zip
    /// format: member `<archive>/data/<key>`); `file` names the source in errors.
    public static func allowList(file: String,
                                 storage: @escaping (_ key: String, _ dtype: WeightDType, _ numel: Int) throws
                                     -> UnsafeRawBufferPointer) -> PickleAllowList {
        var allow = PickleAllowList()
        func bad(_ reason: String) -> WeightSourceError { .badPickle(file: file, reason: reason) }
        allow.values = Set(storageTypes.keys)
        // An inert marker some Lightning checkpoints use as a dict key; never called.
        allow.values.insert("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint")
        allow.calls["collections.OrderedDict"] = { args in
            let d = PickleDict()
            if let pairs = args.first?.asTuple {
                for pair in pairs {
                    guard let kv = pair.asTuple, kv.count == 2 else { throw bad("OrderedDict of non-pairs") }
                    d.items.append((kv[0], kv[1]))
                }
            }
            return .dict(d)
        }
        allow.calls["torch._utils._rebuild_tensor_v2"] = { args in
            guard args.count >= 4, case .object(let s) = args[0], let ref = s.payload as? TorchStorageRef,
                  let offset = args[1].asInt, let sizes = args[2].asTuple, let strides = args[3].asTuple,
                  sizes.count == strides.count, sizes.count <= 32 else {
                throw bad("_rebuild_tensor_v2 with unexpected arguments")
            }
            let size = sizes.compactMap(\.asInt), stride = strides.compactMap(\.asInt)
            guard size.count == sizes.count, stride.count == strides.count,
                  size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }), offset >= 0 else {
                throw bad("_rebuild_tensor_v2 with a negative or non-integer size, stride or offset")
            }
            // Every product checked: a view may not overflow, reach past its storage, or hold more elements than
            // the storage (a stride-0 view would be materialised into count floats from a few stored bytes).
            var count = 1, last = offset
            for (n, st) in zip(size, stride) {
                let (c, o1) = count.multipliedReportingOverflow(by: n)
                let (span, o2) = max(n - 1, 0).multipliedReportingOverflow(by: st)
                let (l, o3) = last.addingReportingOverflow(span)
                guard !o1, !o2, !o3 else {
                    throw WeightSourceError.corrupt(file: file, tensor: "storage \(ref.key)",
                        reason: "tensor view \(size) strides \(stride) offset \(offset) overflows")
                }
                count = c
                last = l
            }
            if count > 0 {
                guard last < ref.numel else {
                    throw WeightSourceError.corrupt(file: file, tensor: "storage \(ref.key)",
                        reason: "tensor view \(size) at offset \(offset) reaches past the storage's \(ref.numel) elements")
                }
                guard count <= ref.numel else {
                    throw WeightSourceError.corrupt(file: file, tensor: "storage \(ref.key)",
                        reason: "tensor view \(size) has \(count) elements but its storage only \(ref.numel) (stride 0?)")
                }
            }
            return .object(PickleObject(type: "torch.Tensor",
                                        payload: TorchTensorRef(storage: ref, offset: offset, shape: size, stride: stride)))
        }
        allow.calls["torch._utils._rebuild_parameter"] = { args in
            guard let data = args.first else { throw bad("_rebuild_parameter without data") }
            return data
        }
        allow.persistentLoad = { pid in
            guard let t = pid.asTuple, t.count >= 5, t[0].asString == "storage", case .global(let type) = t[1],
                  let key = t[2].asString, let numel = t[4].asInt, numel >= 0 else {
                throw bad("persistent id \(pid) is not a torch storage")
            }
            guard let dtype = storageTypes[type] else { throw bad("storage type \(type) is not supported") }
            let (needed, overflow) = numel.multipliedReportingOverflow(by: dtype.itemSize)
            guard !overflow else { throw bad("storage \(key) of \(numel) elements overflows") }
            let bytes = try storage(key, dtype, numel)
            guard bytes.count >= needed else {
                throw WeightSourceError.corrupt(file: file, tensor: "storage \(key)",
                    reason: "\(bytes.count) bytes, but \(numel) × \(dtype.rawValue) needs \(needed) (truncated)")
            }
            return .object(PickleObject(type: "torch.storage",
                                        payload: TorchStorageRef(dtype: dtype, key: key, numel: numel, bytes: bytes)))
        }
        return allow
    }
}
