import CMosquitto

extension MosquittoHandle {
    /// Points every libmosquitto callback at ``delegate``.
    func installCallbacks() {
        // OpenSSL's reasons for a failed handshake reach us only through libmosquitto's log.
        // 0x0C: MOSQ_LOG_WARNING | MOSQ_LOG_ERR.
        mosquitto_log_callback_set(raw) { _, userdata, level, line in
            guard let line, level & 0x0C != 0, let handle = MosquittoHandle.from(userdata) else { return }
            handle.delegate.mosquittoLogged(String(cString: line))
        }
        mosquitto_connect_v5_callback_set(raw) { _, userdata, rc, flags, _ in
            guard let handle = MosquittoHandle.from(userdata) else { return }
            handle.delegate.mosquittoConnected(handle, reason: MQTTReasonCode(rawValue: rc), sessionPresent: flags & 1 == 1)
        }
        mosquitto_disconnect_v5_callback_set(raw) { _, userdata, rc, _ in
            // First, before any other code can overwrite it: the errno of the read or write that failed.
            let captured = currentErrno()
            guard let handle = MosquittoHandle.from(userdata) else { return }
            handle.delegate.mosquittoDisconnected(handle, rc: rc, errno: captured)
        }
        mosquitto_publish_v5_callback_set(raw) { _, userdata, mid, rc, _ in
            MosquittoHandle.from(userdata)?.delegate.mosquittoPublished(mid: mid, reason: MQTTReasonCode(rawValue: rc))
        }
        mosquitto_subscribe_v5_callback_set(raw) { _, userdata, mid, count, granted, _ in
            guard let handle = MosquittoHandle.from(userdata) else { return }
            let codes = granted.map { Array(UnsafeBufferPointer(start: $0, count: Int(max(count, 0)))) } ?? []
            handle.delegate.mosquittoSubscribed(mid: mid, granted: codes)
        }
        mosquitto_message_v5_callback_set(raw) { _, userdata, message, _ in
            guard let handle = MosquittoHandle.from(userdata), let m = message?.pointee, let topic = m.topic else { return }
            var payload: [UInt8] = []
            if m.payloadlen > 0, let p = m.payload {
                payload = Array(UnsafeRawBufferPointer(start: p, count: Int(m.payloadlen)))
            }
            handle.delegate.mosquittoReceived(MQTTMessage(topic: String(cString: topic), payload: payload, qos: m.qos, retained: m.retain))
        }
    }
}
