import FlotillaModel
import Testing

@Test func canonicalJSONSortsKeys() {
    let v: Value = ["b": 1, "a": "x"]
    #expect(String(decoding: v.canonicalJSON, as: UTF8.self) == #"{"a":"x","b":1}"#)
}
