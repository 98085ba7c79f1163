import ArgumentParser
import FlotillaWire

/// `--topic-prefix`, shared by every command that speaks to or sets up the broker.
struct TopicOptions: ParsableArguments {
    @Option(help: "Topic prefix; hub, agents and the broker's ACL must agree on it.")
    var topicPrefix: String = "flotilla/v1"

    var topics: Topics { Topics(prefix: topicPrefix) }
}
