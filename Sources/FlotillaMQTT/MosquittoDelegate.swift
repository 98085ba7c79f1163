/// What libmosquitto reports from inside a ``MosquittoHandle``'s calls, on the thread that made the
/// call (the connection's driver thread for everything but the log).
///
/// The narrow door from C callbacks into Swift: implementations touch only `Mutex`-guarded state
/// and stream continuations.
protocol MosquittoDelegate: AnyObject, Sendable {
    /// A CONNACK: accepted when `reason` is success, refused otherwise.
    func mosquittoConnected(_ handle: MosquittoHandle, reason: MQTTReasonCode, sessionPresent: Bool)
    /// The connection closed. `rc` is a `MOSQ_ERR_*` code, or the broker's reason code (0x80 and
    /// up) when it sent DISCONNECT; `errno` was read before any Swift code ran.
    func mosquittoDisconnected(_ handle: MosquittoHandle, rc: Int32, errno: Int32)
    /// The PUBACK of message `mid` (or, for QoS 0, the message was written).
    func mosquittoPublished(mid: Int32, reason: MQTTReasonCode)
    /// The SUBACK of request `mid`, with the QoS granted (or a failure code) per filter.
    func mosquittoSubscribed(mid: Int32, granted: [Int32])
    func mosquittoReceived(_ message: MQTTMessage)
    /// One of libmosquitto's warning or error log lines (OpenSSL's reasons arrive only this way).
    func mosquittoLogged(_ line: String)
}
