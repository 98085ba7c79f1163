import Foundation

/// What `mosquitto.conf` is written from.
public struct BrokerSettings: Sendable, Hashable {
    public var port: Int
    public var bindAddress: String
    /// The account mosquitto switches to when started as root.
    public var runAsUser: String
    public var spokeCount: Int
    /// A second listener that requires client certificates, if any.
    public var tls: TLSListener?

    public init(port: Int, bindAddress: String, runAsUser: String, spokeCount: Int, tls: TLSListener? = nil) {
        self.port = port
        self.bindAddress = bindAddress
        self.runAsUser = runAsUser
        self.spokeCount = spokeCount
        self.tls = tls
    }

    /// Per-client queue limit. The hub needs the most: one retained presence and one retained
    /// ack per spoke on every subscribe, plus every spoke's reports while it restarts or
    /// catches up (a change brings two per spoke). A fleet simulator at 10,000 spokes saw the
    /// broker drop the hub's reports at 10,000: so 10 per spoke, and never below 20,000, so
    /// that `add-spoke` does not need a new configuration for a long time.
    public var maxQueuedMessages: Int { max(20_000, 10 * spokeCount) }
    /// The same queue's limit in bytes: reports are about 2 KiB, 8 KiB per spoke leaves room.
    public var maxQueuedBytes: Int { max(134_217_728, 8192 * spokeCount) }
}

/// A TLS listener on which every client must present a certificate signed by `caFile`; the
/// certificate's CN becomes the username (so a spoke's certificate names the spoke) and the
/// password file is not consulted there. The ACL's allow list decides what that name may do:
/// a CN without a section (a removed spoke, a name never added) reads and writes nothing. A
/// `crlFile` refuses revoked certificates at the handshake as well.
public struct TLSListener: Sendable, Hashable {
    public var port: Int
    public var bindAddress: String
    /// The CA that signs client certificates (and, usually, the broker's own).
    public var caFile: String
    /// The broker's certificate and key; the certificate's SAN must match the name clients dial.
    public var certFile: String
    public var keyFile: String
    /// A certificate revocation list signed by `caFile`'s CA (`crlfile`), if any. mosquitto
    /// re-reads it on SIGHUP; with it, a certificate it lists fails the TLS handshake.
    public var crlFile: String?

    /// Paths are made absolute, so the broker can be started from any working directory.
    public init(
        port: Int, bindAddress: String = "127.0.0.1", caFile: String, certFile: String, keyFile: String, crlFile: String? = nil
    ) {
        self.port = port
        self.bindAddress = bindAddress
        self.caFile = URL(fileURLWithPath: caFile).standardizedFileURL.path
        self.certFile = URL(fileURLWithPath: certFile).standardizedFileURL.path
        self.keyFile = URL(fileURLWithPath: keyFile).standardizedFileURL.path
        self.crlFile = crlFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    /// Every file the broker reads for this listener, named for error messages.
    var files: [(String, String)] {
        [("CA file", caFile), ("certificate file", certFile), ("key file", keyFile)] + (crlFile.map { [("CRL file", $0)] } ?? [])
    }
}

extension BrokerLayout {
    /// The broker configuration. Every path is absolute, so the broker can be started from any
    /// working directory. mosquitto treats a line as a comment only when `#` is its first character.
    public func configText(_ s: BrokerSettings) -> String {
        """
        # Written by `flotilla broker init`. See docs/operations.md ("One-command broker set-up").
        # Start: mosquitto -c \(configFile.path)
        # After `flotilla broker add-spoke`/`remove-spoke`: kill -HUP $(cat \(pidFile.path))
        # (re-reads this file, the password file, the ACL, certificates and CRL; other clients stay
        # connected).

        # When started as root, mosquitto switches to this user before it writes the pid file and
        # log and reads the password file, ACL and TLS files: each is readable (or writable) by it.
        # Started by this user, it stays as it is.
        user \(s.runAsUser)
        pid_file \(pidFile.path)

        # One password file and one ACL for every listener; no anonymous clients.
        per_listener_settings false
        allow_anonymous false
        password_file \(passwordFile.path)
        acl_file \(aclFile.path)
        # Withhold retained messages (bundles, acks) whose publisher has lost write access.
        check_retain_source true

        # Retained bundles, acks and persistent sessions survive a restart.
        persistence true
        persistence_location \(dataDirectory.path)/
        autosave_interval 60
        autosave_on_changes false
        # Forget sessions of clients gone for 14 days (retired spokes, test tools).
        persistent_client_expiration 14d

        # Queues: mosquitto drops silently past these (the hub's ack watermark makes that safe).
        max_queued_messages \(s.maxQueuedMessages)
        max_queued_bytes \(s.maxQueuedBytes)
        # QoS 1 window, announced to MQTT 5 clients as Receive Maximum: 200-1,000 is fastest.
        max_inflight_messages 500
        queue_qos0_messages false
        # Largest packet: 4 MiB. Agents refuse larger envelopes by default; the hub keeps its
        # bundles 64 KiB smaller, so every envelope fits (header, signature, topic, properties).
        max_packet_size 4194304
        retain_available true

        sys_interval 10
        log_dest file \(logFile.path)
        log_type error
        log_type warning
        log_type notice
        log_type information
        log_timestamp true
        log_timestamp_format %Y-%m-%dT%H:%M:%S
        connection_messages true

        # Passwords cross this listener in clear text: keep it on loopback or a segregated network.
        listener \(s.port) \(s.bindAddress)
        # The client id becomes the username, so no client can take over another's session.
        use_username_as_clientid true
        max_connections -1
        \(s.tls.map(tlsListenerText) ?? "")
        """
    }

    func tlsListenerText(_ t: TLSListener) -> String {
        """

        # TLS listener: every client must present a certificate signed by cafile. Its CN becomes
        # the username and the password file is not consulted here. Any certificate the CA signs
        # can connect, but only a CN with a section in the ACL (the hub, each spoke added) may read
        # or write anything. Use a CA for this fleet only, and sign CN=\(Self.hubUser) for the hub alone.
        listener \(t.port) \(t.bindAddress)
        cafile \(t.caFile)
        certfile \(t.certFile)
        keyfile \(t.keyFile)
        \(t.crlFile.map { "# Revoked certificates fail the handshake; re-read on SIGHUP.\ncrlfile \($0)\n" } ?? "")require_certificate true
        use_identity_as_username true
        use_username_as_clientid true
        max_connections -1

        """
    }
}
