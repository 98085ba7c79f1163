import FlotillaModel
import FlotillaWire

/// The heavy part of receiving a bundle, pure and run on the blocking pool: steps 1–7 of the
/// protocol's "Checking an envelope" (size, structure, signature, inflate, hash, spoke name,
/// object names), with the agent's refusal texts. The generation (step 8) needs the spoke's
/// state and is checked after, under its lock.
enum BundleCheck {
    enum Outcome: Sendable {
        /// The envelope's header and the objects the bundle holds.
        case accepted(Envelope.Header, [ObjectRef])
        /// The refusal's message, and the envelope's generation when it was read that far.
        case refused(String, generation: Int64?)
    }

    static func check(_ bytes: [UInt8], spoke: String, trustedKeys: [VerifyingKey], maxBytes: Int) -> Outcome {
        let envelope: Envelope
        do {
            envelope = try Envelope.decode(bytes, trustedKeys: trustedKeys, maxBytes: maxBytes)
        } catch {
            return .refused("refused bundle: \(error)", generation: nil)
        }
        let header = envelope.header
        guard header.spoke == spoke else {
            return .refused("refused bundle: \(EnvelopeError.wrongSpoke(expected: spoke, found: header.spoke))", generation: header.generation)
        }
        do {
            let bundle = try SpokeBundle.decode(payload: envelope.payload)
            return .accepted(header, bundle.items.map(\.ref))
        } catch {
            return .refused("refused bundle: \(error)", generation: header.generation)
        }
    }
}
