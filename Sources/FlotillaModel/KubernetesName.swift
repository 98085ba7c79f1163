/// Kubernetes' rules for `metadata.name` and `metadata.namespace`, per kind, as a spoke's API
/// server applies them on create. The hub holds the source to them (a bundle must never carry a
/// name a spoke would refuse), and the agent holds every bundle to them again before storing it,
/// since a name ends up in a file name, a path, a log line.
///
/// Where each rule comes from (kubernetes/kubernetes):
/// - Every name of every kind is a path segment: the registry's key functions call
///   `path.IsValidPathSegmentName` (`apiserver/pkg/registry/generic/registry/store.go`).
/// - `metadata.namespace`, and the names of Namespaces: `ValidateNamespaceName` = `NameIsDNSLabel`.
/// - Custom resources: `customResourceValidator.Validate` passes `NameIsDNSSubdomain`
///   (`apiextensions-apiserver/pkg/registry/customresource/validator.go`), the rule of most built-in
///   kinds too (ConfigMap, Secret, Deployment, Pod, PersistentVolume, …): the default here.
/// - Service: `ValidateServiceName` = `NameIsDNS1035Label`. KEP-5311 relaxes it to a DNS-1123
///   label from v1.36 (feature gate `RelaxedServiceNameValidation`); older spokes still refuse a
///   leading digit, so the stricter rule stands.
/// - StatefulSet: `ValidateStatefulSetName` = `NameIsDNSLabel` (the name prefixes its Pods' names).
/// - CronJob: the subdomain, at most 52 characters (`ValidateCronJob`: Jobs get an 11-character suffix).
/// - Role, ClusterRole, RoleBinding, ClusterRoleBinding: `minimalNameRequirements` = the path
///   segment only (`pkg/apis/rbac/validation`), hence `system:aggregate-to-admin`.
/// - PodDisruptionBudget: `ValidatePodDisruptionBudget` checks no name, so the path segment only.
///
/// Flotilla adds one rule to the path segment: no control or format characters (Unicode Cc, Cf,
/// Zl, Zp). No DNS name holds one either, and a name with NUL or a newline cannot be a file name
/// or a log line safely.
public enum KubernetesName {
    /// The syntax a name must have.
    public enum Rule: Sendable, Hashable, CustomStringConvertible {
        case dnsSubdomain
        case dnsLabel
        case dns1035Label
        case pathSegment
        /// A DNS-1123 subdomain of at most 52 characters.
        case cronJob

        public var description: String {
            switch self {
            case .dnsSubdomain:
                return "a DNS-1123 subdomain (at most 253 characters: lowercase letters, digits, '-' and '.', "
                    + "each '.'-separated part starting and ending with a letter or digit)"
            case .dnsLabel:
                return "a DNS-1123 label (at most 63 characters: lowercase letters, digits and '-', "
                    + "starting and ending with a letter or digit)"
            case .dns1035Label:
                return "a DNS-1035 label (at most 63 characters: lowercase letters, digits and '-', "
                    + "starting with a letter and ending with a letter or digit)"
            case .pathSegment:
                return "a path segment (not '.' or '..', no '/', '%' or control characters)"
            case .cronJob:
                return "a DNS-1123 subdomain of at most 52 characters (the CronJob's Jobs add 11)"
            }
        }
    }

    /// One field of one object that breaks its rule.
    public struct Violation: Error, Sendable, Hashable, CustomStringConvertible {
        /// `metadata.name` or `metadata.namespace`.
        public var field: String
        public var message: String

        public var description: String { "field \(field): \(message)" }
    }

    /// Kinds whose rule is not the DNS subdomain, by `group/kind` (core group: `/kind`).
    static let rules: [String: Rule] = [
        "/Namespace": .dnsLabel,
        "/Service": .dns1035Label,
        "apps/StatefulSet": .dnsLabel,
        "batch/CronJob": .cronJob,
        "policy/PodDisruptionBudget": .pathSegment,
        "rbac.authorization.k8s.io/Role": .pathSegment,
        "rbac.authorization.k8s.io/ClusterRole": .pathSegment,
        "rbac.authorization.k8s.io/RoleBinding": .pathSegment,
        "rbac.authorization.k8s.io/ClusterRoleBinding": .pathSegment,
    ]

    /// The rule for names of `kind` in API group `group` (`""` for the core group).
    public static func rule(group: String, kind: String) -> Rule {
        rules["\(group)/\(kind)"] ?? .dnsSubdomain
    }

    /// What is wrong with `ref`'s name and namespace; empty when both are valid. An empty
    /// namespace (cluster-scoped) is valid.
    public static func violations(of ref: ObjectRef) -> [Violation] {
        var out: [Violation] = []
        let rule = rule(group: ref.group, kind: ref.kind)
        if let reason = problem(ref.name, rule) {
            out.append(Violation(field: "metadata.name", message: "\(quoted(ref.name)) \(reason); a \(ref.kind) name must be \(rule)"))
        }
        if !ref.namespace.isEmpty, let reason = problem(ref.namespace, .dnsLabel) {
            out.append(
                Violation(field: "metadata.namespace", message: "\(quoted(ref.namespace)) \(reason); a namespace must be \(Rule.dnsLabel)"))
        }
        return out
    }

    /// Why `value` breaks `rule`, or `nil` when it does not.
    public static func problem(_ value: String, _ rule: Rule) -> String? {
        if value.isEmpty { return "is empty" }
        // Nearly every name is plain lowercase DNS: settle those in one pass over the bytes
        // (a source of 20,000 objects spent most of its validation in Unicode properties).
        if isPlainDNS(value, rule) { return nil }
        return fullProblem(value, rule)
    }

    /// ``problem(_:_:)`` without the fast path: the message for a name that breaks its rule.
    public static func fullProblem(_ value: String, _ rule: Rule) -> String? {
        if value.isEmpty { return "is empty" }
        if let c = value.unicodeScalars.first(where: isControl) { return "contains the control character \(escaped(String(c)))" }
        switch rule {
        case .pathSegment:
            if value == "." || value == ".." { return "is '\(value)'" }
            if value.contains("/") { return "contains '/'" }
            if value.contains("%") { return "contains '%'" }
            return nil
        case .dnsSubdomain: return dnsProblem(value, maxLength: 253, dots: true, letterFirst: false)
        case .cronJob: return dnsProblem(value, maxLength: 52, dots: true, letterFirst: false)
        case .dnsLabel: return dnsProblem(value, maxLength: 63, dots: false, letterFirst: false)
        case .dns1035Label: return dnsProblem(value, maxLength: 63, dots: false, letterFirst: true)
        }
    }

    static func dnsProblem(_ value: String, maxLength: Int, dots: Bool, letterFirst: Bool) -> String? {
        // Kubernetes counts bytes (Go's len); only ASCII passes the checks below anyway.
        if value.utf8.count > maxLength { return "is \(value.utf8.count) characters long, more than \(maxLength)" }
        for c in value.unicodeScalars {
            if c.isASCII && c.properties.isUppercase { return "contains the uppercase letter '\(c)'" }
            if c == "." && !dots { return "contains '.'" }
            if !(isLowerAlnum(c) || c == "-" || c == ".") { return "contains '\(escaped(String(c)))'" }
        }
        for part in value.split(separator: ".", omittingEmptySubsequences: false) {
            guard let first = part.unicodeScalars.first, let last = part.unicodeScalars.last else {
                return "has an empty '.'-separated part"
            }
            if !isLowerAlnum(first) || !isLowerAlnum(last) {
                return dots
                    ? "has a part that does not start and end with a letter or digit"
                    : "does not start and end with a letter or digit"
            }
        }
        if letterFirst, let first = value.unicodeScalars.first, !("a"..."z").contains(first) { return "does not start with a letter" }
        return nil
    }

    /// Whether `value` certainly passes `rule`: ASCII lowercase letters, digits, '-' and (where
    /// allowed) '.', within the length, every '.'-separated part starting and ending with a
    /// letter or digit (a letter first for DNS-1035). `false` means "ask the full check".
    public static func isPlainDNS(_ value: String, _ rule: Rule) -> Bool {
        let (maxLength, dots, letterFirst): (Int, Bool, Bool)
        switch rule {
        case .dnsSubdomain: (maxLength, dots, letterFirst) = (253, true, false)
        case .cronJob: (maxLength, dots, letterFirst) = (52, true, false)
        case .dnsLabel: (maxLength, dots, letterFirst) = (63, false, false)
        case .dns1035Label: (maxLength, dots, letterFirst) = (63, false, true)
        case .pathSegment: return false
        }
        let utf8 = value.utf8
        guard utf8.count <= maxLength else { return false }
        var previous: UInt8 = UInt8(ascii: ".")
        for (i, b) in utf8.enumerated() {
            let alnum = (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            if i == 0, letterFirst, !(b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) { return false }
            if alnum {
                previous = b
                continue
            }
            switch b {
            case UInt8(ascii: "-"):
                if previous == UInt8(ascii: ".") { return false }
            case UInt8(ascii: "."):
                if !dots || previous == UInt8(ascii: ".") || previous == UInt8(ascii: "-") { return false }
            default:
                return false
            }
            previous = b
        }
        return previous != UInt8(ascii: "-") && previous != UInt8(ascii: ".")
    }

    static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }

    /// Control and format characters: NUL, newline, DEL, bidirectional overrides, line separators.
    public static func isControl(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// `value` with `\`, `"` and every control character escaped, safe in one line of a log or
    /// report. Past `limit` characters it is cut with `…`: a hostile name can be megabytes long,
    /// while no DNS name (and so almost no object label) comes near 512.
    public static func escaped(_ value: String, limit: Int = 512) -> String {
        var out = ""
        for (i, c) in value.unicodeScalars.enumerated() {
            if i == limit {
                out += "…"
                break
            }
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case _ where isControl(c): out += "\\u{\(String(c.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `value` escaped and in double quotes.
    public static func quoted(_ value: String) -> String { "\"\(escaped(value))\"" }
}
