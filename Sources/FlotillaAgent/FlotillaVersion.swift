/// The product version reported in presence and `flotilla --version`.
public enum FlotillaVersion {
    public static let current = "0.1.0"
}
