import CMosquitto
import Foundation

extension MosquittoHandle {
    /// Applies everything in `c` that libmosquitto holds before a connect: MQTT 5, the send
    /// window, credentials, the will and TLS.
    /// - Throws: ``MQTTError`` naming the option libmosquitto refused, or the TLS file it cannot read.
    func configure(_ c: MQTTConfiguration) throws(MQTTError) {
        try check("set protocol version", .capture { mosquitto_int_option(raw, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5) })
        try check("set send maximum", .capture { mosquitto_int_option(raw, MOSQ_OPT_SEND_MAXIMUM, c.sendMaximum) })
        if c.username != nil || c.password != nil {
            try check("set credentials", .capture { mosquitto_username_pw_set(raw, c.username, c.password) })
        }
        if let will = c.will {
            let result = MosquittoResult.capture {
                will.payload.withUnsafeBytes { buf in
                    mosquitto_will_set_v5(raw, will.topic, Int32(buf.count), buf.baseAddress, will.qos, will.retain, nil)
                }
            }
            try check("set last will", result)
        }
        if let tls = c.tls { try configure(tls) }
    }

    private func configure(_ tls: MQTTConfiguration.TLS) throws(MQTTError) {
        // libmosquitto answers an unreadable file with a bare "Invalid arguments provided."
        // Name the file and the reason instead.
        for (what, path) in [("CA file", tls.caFile), ("certificate file", tls.certFile), ("key file", tls.keyFile)] {
            guard let path else { continue }
            guard let f = fopen(path, "r") else {
                let reason = String(cString: strerror(currentErrno()))
                throw MQTTError(operation: "set TLS", code: .tls, message: "cannot read \(what) \(path): \(reason)")
            }
            fclose(f)
        }
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            throw MQTTError(operation: "set TLS", code: .invalid, message: "a client certificate and its key go together")
        }
        // No passphrase prompt: without this callback OpenSSL would ask on the terminal for
        // an encrypted key, which hangs a service. An encrypted key fails to load instead.
        try check("set TLS", .capture { mosquitto_tls_set(raw, tls.caFile, nil, tls.certFile, tls.keyFile) { _, _, _, _ in 0 } })
    }
}
