/// A map or list ``DocumentBuilder`` is filling; its entries wait on the builder's stacks
/// from `start` up.
struct BuilderFrame {
    var isMap: Bool
    /// Where the node starts.
    var line: Int
    /// Its first entry's index on the builder's stack of entries or of items.
    var start: Int
    /// A map's key whose value is being read.
    var key: String?
    var keyLine = 0
    /// Non-nil on the chain of `items` lists (``DocumentLines``): a map's own lines, or the
    /// entries of an `items` list.
    var lines: DocumentLines?

    init(isMap: Bool, line: Int, start: Int, lines: DocumentLines?) {
        self.isMap = isMap
        self.line = line
        self.start = start
        self.lines = lines
    }
}
