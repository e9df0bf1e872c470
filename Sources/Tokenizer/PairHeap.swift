// PairHeap: a binary min-heap of BPE merge candidates ordered by (rank, position), for CLIPTokenizer's bpe.

struct PairHeap {
    private var items: [(rank: Int, position: Int)] = []

    var minRank: Int? { items.first?.rank }

    private static func less(_ a: (rank: Int, position: Int), _ b: (rank: Int, position: Int)) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.position < b.position
    }

    mutating func push(rank: Int, position: Int) {
        items.append((rank, position))
        var c = items.count - 1
        while c > 0 {
            let p = (c - 1) / 2
            guard Self.less(items[c], items[p]) else { break }
            items.swapAt(c, p)
            c = p
        }
    }

    /// Removes the smallest entry and returns its position.
    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < items.count, Self.less(items[l], items[m]) { m = l }
                if r < items.count, Self.less(items[r], items[m]) { m = r }
                if m == p { break }
                items.swapAt(p, m)
                p = m
            }
        }
        return top.position
    }
}
