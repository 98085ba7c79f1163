/// Where a document's root starts, and, along its chain of `items` (a `kind: List` and lists in
/// its items), where each entry starts: what ``SourceLoader`` needs to give every list item its
/// own line. Empty `items` for anything that is not a map with an `items` sequence.
struct DocumentLines: Sendable, Equatable {
    var line: Int
    var items: [DocumentLines] = []
}
