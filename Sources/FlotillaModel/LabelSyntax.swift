/// Kubernetes' syntax rules for label keys and values, used to reject selectors that an API
/// server would refuse (`apimachinery/pkg/util/validation`).
public enum LabelSyntax {
    /// Whether `key` is a qualified name: an optional DNS-1123 subdomain prefix and `/`, then a
    /// name of at most 63 characters that starts and ends with an alphanumeric character.
    public static func isValidKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isName(parts[0])
        case 2: return isSubdomain(parts[0]) && isName(parts[1])
        default: return false
        }
    }

    /// Whether `value` can be a label value: empty, or a name of at most 63 characters.
    public static func isValidValue(_ value: String) -> Bool {
        value.isEmpty || isName(Substring(value))
    }

    static func isName(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 63, isAlnum(b.first!), isAlnum(b.last!) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isSubdomain(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let b = Array(label.utf8)
            guard !b.isEmpty, b.count <= 63 else { return false }
            func lowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
            return lowerAlnum(b.first!) && lowerAlnum(b.last!) && b.allSatisfy { lowerAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    }
}
