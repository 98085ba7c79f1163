import FlotillaFixtures
import FlotillaModel
import Testing

/// Kubernetes' name rules per kind, each checked at its edges.
struct KubernetesNameTests {
    @Test func theKindChoosesTheRule() {
        #expect(KubernetesName.rule(group: "", kind: "ConfigMap") == .dnsSubdomain)
        #expect(KubernetesName.rule(group: "example.com", kind: "Widget") == .dnsSubdomain, "custom resources")
        #expect(KubernetesName.rule(group: "", kind: "Namespace") == .dnsLabel)
        #expect(KubernetesName.rule(group: "", kind: "Service") == .dns1035Label)
        #expect(KubernetesName.rule(group: "apps", kind: "StatefulSet") == .dnsLabel)
        #expect(KubernetesName.rule(group: "batch", kind: "CronJob") == .cronJob)
        #expect(KubernetesName.rule(group: "rbac.authorization.k8s.io", kind: "ClusterRole") == .pathSegment)
        #expect(KubernetesName.rule(group: "example.com", kind: "ClusterRole") == .dnsSubdomain, "the group counts")
    }

    /// (value, rule, valid)
    static let cases: [(String, KubernetesName.Rule, Bool)] = [
        ("web", .dnsSubdomain, true),
        ("web.config-1", .dnsSubdomain, true),
        ("0web", .dnsSubdomain, true),
        (String(repeating: "a", count: 253), .dnsSubdomain, true),
        (String(repeating: "a", count: 254), .dnsSubdomain, false),
        ("Web", .dnsSubdomain, false),
        ("web.", .dnsSubdomain, false),
        ("a..b", .dnsSubdomain, false),
        ("a.-b", .dnsSubdomain, false),
        ("-web", .dnsSubdomain, false),
        ("x/../../../canary/escaped", .dnsSubdomain, false),
        ("wéb", .dnsSubdomain, false),
        ("", .dnsSubdomain, false),
        ("shop", .dnsLabel, true),
        (String(repeating: "a", count: 63), .dnsLabel, true),
        (String(repeating: "a", count: 64), .dnsLabel, false),
        ("shop.eu", .dnsLabel, false),
        ("shop-", .dnsLabel, false),
        ("web-1", .dns1035Label, true),
        ("1web", .dns1035Label, false),
        ("1web", .dnsLabel, true),
        (String(repeating: "c", count: 52), .cronJob, true),
        (String(repeating: "c", count: 53), .cronJob, false),
        ("system:aggregate-to-admin", .pathSegment, true),
        ("Ops Admins", .pathSegment, true),
        ("..", .pathSegment, false),
        (".", .pathSegment, false),
        ("...", .pathSegment, true),
        ("a/b", .pathSegment, false),
        ("50%", .pathSegment, false),
        ("a\u{0}b", .pathSegment, false),
        ("a\nb", .pathSegment, false),
        ("a\u{7F}", .pathSegment, false),
        ("evil\u{202E}lmy.exe", .pathSegment, false),
    ]

    @Test(arguments: cases)
    func ruleAcceptsExactlyWhatKubernetesAccepts(_ value: String, _ rule: KubernetesName.Rule, _ valid: Bool) {
        let problem = KubernetesName.problem(value, rule)
        #expect((problem == nil) == valid, "\(value.debugDescription) under \(rule): \(problem ?? "valid")")
    }

    /// The fast path settles only names the full check accepts, and most plain names.
    @Test func theFastPathNeverAcceptsWhatTheFullCheckRefuses() {
        var rng = SplitMix64(seed: 11)
        let alphabet = Array("abz09-.-.A_/ é".unicodeScalars)
        var settled = 0
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 70)
            var value = ""
            for _ in 0..<length { value.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            for rule in [KubernetesName.Rule.dnsSubdomain, .dnsLabel, .dns1035Label, .cronJob, .pathSegment] {
                let full = KubernetesName.fullProblem(value, rule)
                if KubernetesName.isPlainDNS(value, rule) {
                    settled += 1
                    #expect(full == nil, "\(value) under \(rule)")
                }
                #expect(KubernetesName.problem(value, rule) == full)
            }
        }
        for plain in ["store-0042", "app-7", "fleet-settings", "web.shop.example"] {
            #expect(KubernetesName.isPlainDNS(plain, .dnsSubdomain))
        }
        #expect(settled > 0)
    }

    @Test func violationsNameTheFieldTheRuleAndTheReason() {
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "shop.eu", name: "x/../../etc\n")
        let violations = KubernetesName.violations(of: ref)
        #expect(violations.map(\.field) == ["metadata.name", "metadata.namespace"])
        let name = violations[0].message
        #expect(name.hasPrefix(#""x/../../etc\n" contains the control character \n; a ConfigMap name must be a DNS-1123 subdomain"#), "\(name)")
        #expect(violations[1].message.hasPrefix(#""shop.eu" contains '.'; a namespace must be a DNS-1123 label"#))
        #expect(!violations.map(\.description).joined().contains("\n"))
    }

    @Test func clusterScopedObjectsHaveNoNamespaceToCheck() {
        #expect(KubernetesName.violations(of: ObjectRef(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop")).isEmpty)
    }

    @Test func escapingKeepsEveryValueOnOneLine() {
        #expect(KubernetesName.escaped("a\nb\r\t\u{0}\"\\\u{7F}\u{202E}é") == #"a\nb\r\t\0\"\\\u{7F}\u{202E}é"#)
        #expect(KubernetesName.quoted("a/b") == #""a/b""#)
        let huge = KubernetesName.quoted(String(repeating: "x/", count: 1 << 20))
        #expect(huge.count == 515 && huge.hasSuffix("…\""), "a hostile name cannot flood a log line")
    }
}
