extension MQTTConnection {
    /// Breaks the connection as a network fault would: the socket is shut down with no
    /// DISCONNECT, so the broker publishes the will, and the driver sees the loss and reconnects
    /// after its jittered backoff (from ``MQTTConfiguration/reconnectMin`` again, since the
    /// connection was up). For simulators and fault tests. Returns `false` when there was no
    /// connection to break.
    ///
    /// It runs outside the driver's thread: if the connection closes on its own at that very
    /// instant and another connection reuses the descriptor number, that one is broken instead
    /// (another lost connection, reconnected the same way). Not for production paths.
    @discardableResult
    public func breakConnection() -> Bool {
        guard isConnected else { return false }
        return handle.shutdownSocket()
    }
}
