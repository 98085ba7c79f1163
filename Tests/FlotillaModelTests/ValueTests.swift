import FlotillaModel
import Testing

@Test func canonicalJSONSortsKeys() {
    let v: Value = ["b": 1, "a": "x"]
    #expect(String(decoding: v.canonicalJSON, as: UTF8.self) == #"{"a":"x","b":1}"#)
}

/// The hub's stored object lists, written straight to bytes, are the canonical JSON of the
/// same identities as trees.
struct ObjectRefJSONTests {
    @Test func theDirectWriterIsTheCanonicalTree() {
        let refs = [
            ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web"),
            ObjectRef(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop"),
            ObjectRef(apiVersion: "example.com/v1", kind: "Thing", namespace: "q\"uote", name: "tab\there\u{1}é"),
        ]
        for list in [[], Array(refs.prefix(1)), refs] {
            let tree = Value.array(list.map { r in
                .object(["apiVersion": .string(r.apiVersion), "kind": .string(r.kind), "namespace": .string(r.namespace), "name": .string(r.name)])
            })
            #expect(ObjectRef.canonicalJSON(list) == tree.canonicalJSON)
        }
    }
}
