import Synchronization

/// Parsed templates by text, shared by every thread: the planner expands the same leaf strings
/// for thousands of spokes, and the same text often appears in many objects. A template does not
/// depend on the field it is in (the field is put into messages later), so the text is the key.
final class GoTemplateCache: Sendable {
    private let entries = Mutex<[String: GoTemplate]>([:])
    private let capacity: Int

    init(capacity: Int = 8192) { self.capacity = capacity }

    func template(for source: String) -> GoTemplate {
        if let hit = entries.withLock({ $0[source] }) { return hit }
        // Parse outside the lock: parsing is pure, and a rare duplicate parse costs less than contention.
        let parsed = GoTemplate(source: source)
        entries.withLock {
            // Crude but bounded: a fleet's distinct templates number far fewer than the capacity.
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[source] = parsed
        }
        return parsed
    }
}
