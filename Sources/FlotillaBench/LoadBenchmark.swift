import CLibYAML
import FlotillaModel
import FlotillaSource
import Foundation

/// Loading a GitOps source against libyaml's own floor, in the same run: (a) every file read and
/// parsed to events only (`yaml_parser_parse` and `yaml_event_delete` in a loop, nothing built),
/// (b) `SourceLoader.loadObjects()` (listing, reading, building trees, validating objects),
/// (c) `loadFleet()` (that and classification). Each best of 3; freeing what a run built is not
/// timed.
public enum LoadBenchmark {
    public static func run(source: URL, print say: (String) -> Void) throws(SourceErrors) {
        let loader = SourceLoader(root: source)
        let files = try loader.files().map { source.appendingPathComponent($0) }
        let bytes = files.reduce(0) { $0 + ((try? Data(contentsOf: $1).count) ?? 0) }
        say("source \(source.path): \(files.count) files, \(String(format: "%.2f", Double(bytes) / 1e6)) MB")

        var events = 0
        let floor = best("libyaml floor (read + parse to events)", say) { () -> Int in
            events = parseToEvents(files)
            return events
        }
        say("  \(events) events")

        var objects = 0
        var failure: SourceErrors?
        let load = best("SourceLoader.loadObjects()", say) { () -> [ManifestObject] in
            do throws(SourceErrors) {
                let loaded = try loader.loadObjects()
                objects = loaded.count
                return loaded
            } catch {
                failure = error
                return []
            }
        }
        if let failure { throw failure }
        say("  \(objects) objects")

        var summary = ""
        let fleet = best("SourceLoader.loadFleet()", say) { () -> FleetSource? in
            do throws(SourceErrors) {
                let f = try loader.loadFleet()
                summary = "\(f.spokes.count) spokes, \(f.policies.count) policies, \(f.workloads.count) workloads"
                return f
            } catch {
                failure = error
                return nil
            }
        }
        if let failure { throw failure }
        say("  \(summary)")

        say("RESULT libyaml floor best of 3: \(Stopwatch.ms(floor))")
        say("RESULT loadObjects best of 3: \(Stopwatch.ms(load)) (\(ratio(load, floor)) the floor; target < 2x)")
        say("RESULT loadFleet best of 3: \(Stopwatch.ms(fleet)) (\(ratio(fleet, floor)) the floor)")
    }

    /// Reads each file and runs libyaml's event parser over it; the number of events.
    static func parseToEvents(_ files: [URL]) -> Int {
        var count = 0
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer {
            parser.deallocate()
            event.deallocate()
        }
        for file in files {
            guard let data = try? Data(contentsOf: file) else { continue }
            data.withUnsafeBytes { raw in
                guard yaml_parser_initialize(parser) == 1 else { return }
                defer { yaml_parser_delete(parser) }
                yaml_parser_set_input_string(parser, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
                while yaml_parser_parse(parser, event) == 1 {
                    count += 1
                    let done = event.pointee.type == YAML_STREAM_END_EVENT
                    yaml_event_delete(event)
                    if done { break }
                }
            }
        }
        return count
    }

    /// The best of 3 runs of `body`; what it returns is freed after the clock stops.
    private static func best<T>(_ label: String, _ say: (String) -> Void, _ body: () -> T) -> Duration {
        var best = Duration.seconds(1_000)
        for run in 1...3 {
            let start = ContinuousClock.now
            let result = body()
            let elapsed = ContinuousClock.now - start
            withExtendedLifetime(result) {}
            say("\(label), run \(run): \(Stopwatch.ms(elapsed))")
            best = min(best, elapsed)
        }
        return best
    }

    private static func ratio(_ a: Duration, _ b: Duration) -> String {
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        return String(format: "%.2fx", seconds(a) / max(seconds(b), 1e-9))
    }
}
