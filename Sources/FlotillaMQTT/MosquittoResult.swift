import Foundation

/// What a libmosquitto call returned, with `errno` read right after it returned: on
/// `MOSQ_ERR_ERRNO` that errno is the reason, and any later call (even logging) may overwrite it.
struct MosquittoResult: Sendable, Hashable {
    var code: MosquittoCode
    var errno: Int32

    static let success = MosquittoResult(code: .success, errno: 0)

    /// Runs `call` and captures errno before anything else can run.
    static func capture(_ call: () -> Int32) -> MosquittoResult {
        let rc = call()
        let captured = currentErrno()
        return MosquittoResult(code: MosquittoCode(rawValue: rc), errno: captured)
    }

    var isSuccess: Bool { code == .success }
}

/// The calling thread's errno (a free function: inside `MosquittoResult` the name is its property).
func currentErrno() -> Int32 { errno }
