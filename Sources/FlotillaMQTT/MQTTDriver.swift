/// Runs the network side of ``MQTTConnection``s: moves bytes between their sockets and
/// libmosquitto, keeps them alive, and times reconnect attempts with the delays the connection
/// asks for. The connection logic (state, subscriptions, PUBACKs, events) stays in the connection.
///
/// Conforming types live in this module: ``ThreadDriver`` (a thread per connection) and
/// ``EpollDriver`` (one thread for many connections).
public protocol MQTTDriver: AnyObject, Sendable {
    /// Starts driving `connection`: connect, and after any loss reconnect, until it stops.
    /// Called once, by ``MQTTConnection/start()``.
    func attach(_ connection: MQTTConnection)

    /// `connection` is stopping and has queued its DISCONNECT. Returns once the driver has
    /// stopped making calls on it (after the DISCONNECT went out, if it was connected).
    /// Called once, by ``MQTTConnection/stop()``.
    func detach(_ connection: MQTTConnection) async

    /// `connection` queued packets from outside the driver (a publish, a subscribe): they must
    /// be written even though the driver's loop did not ask for it.
    func connectionHasOutput(_ connection: MQTTConnection)
}
