import ArgumentParser

/// `--max-bundle-bytes`, shared by the hub (which publishes no bundle whose uncompressed payload
/// is larger, naming the spoke) and the agent (which applies no envelope or payload larger).
/// The defaults agree with the broker's `max_packet_size` (4 MiB): the agent takes exactly
/// that, the hub 64 KiB less, so that every envelope it publishes fits both.
struct BundleLimitOptions: ParsableArguments {
    @Option(help: "Largest bundle, in bytes: the hub publishes no larger payload (default 4 MiB - 64 KiB), the agent applies no larger envelope or payload (default 4 MiB).")
    var maxBundleBytes: Int?
}
