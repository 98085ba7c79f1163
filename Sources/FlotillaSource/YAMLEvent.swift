internal import CLibYAML

/// A view of the event ``YAMLParser`` holds: valid until the parser's next ``YAMLParser/next()``.
struct YAMLEvent {
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias, scalar, sequenceStart, sequenceEnd, mappingStart, mappingEnd
        case none
    }

    let raw: UnsafePointer<yaml_event_t>

    var kind: Kind {
        switch raw.pointee.type {
        case YAML_SCALAR_EVENT: .scalar
        case YAML_MAPPING_START_EVENT: .mappingStart
        case YAML_MAPPING_END_EVENT: .mappingEnd
        case YAML_SEQUENCE_START_EVENT: .sequenceStart
        case YAML_SEQUENCE_END_EVENT: .sequenceEnd
        case YAML_DOCUMENT_START_EVENT: .documentStart
        case YAML_DOCUMENT_END_EVENT: .documentEnd
        case YAML_ALIAS_EVENT: .alias
        case YAML_STREAM_START_EVENT: .streamStart
        case YAML_STREAM_END_EVENT: .streamEnd
        default: .none
        }
    }

    /// The 1-based line the event starts on.
    var line: Int { raw.pointee.start_mark.line + 1 }

    /// A scalar's bytes (UTF-8, whatever the input's encoding was).
    var scalarBytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: raw.pointee.data.scalar.value, count: raw.pointee.data.scalar.length)
    }

    /// A scalar's explicit tag, resolved by libyaml (`!!int` is `tag:yaml.org,2002:int`), or nil.
    var scalarTag: UnsafePointer<UInt8>? { UnsafePointer(raw.pointee.data.scalar.tag) }

    /// Whether libyaml marks an untagged scalar as quoted or block (`quoted_implicit`): a string.
    var scalarIsQuotedImplicit: Bool { raw.pointee.data.scalar.quoted_implicit != 0 }

    /// Whether the scalar is written plain (unquoted, not a block scalar).
    var scalarIsPlain: Bool { raw.pointee.data.scalar.style == YAML_PLAIN_SCALAR_STYLE }
}
