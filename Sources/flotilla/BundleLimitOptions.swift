import ArgumentParser

/// `--max-bundle-bytes`, shared by the hub (which refuses to publish a larger bundle, naming the
/// spoke) and the agent (which refuses to apply one). Keep the hub's at or below the agents'.
struct BundleLimitOptions: ParsableArguments {
    @Option(help: "Largest bundle, in bytes (uncompressed): the hub publishes none larger, the agent applies none larger.")
    var maxBundleBytes: Int = 4 << 20
}
