import Foundation
import X509

/// The identity a client certificate claims. The broker takes the certificate's CN as the
/// username and the client id, so an agent started with another spoke's certificate would speak
/// for that spoke and take over its session: the agent checks before it connects.
enum CertificateIdentity {
    /// The subject's common name of the first certificate in a PEM file, `nil` when it has none.
    static func commonName(ofPEMFile path: String) throws -> String? {
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let certificate = try Certificate(pemEncoded: pem)
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value)
            }
        }
        return nil
    }
}
