// What Kafka Streams itself prints for the topologies of describeAsKafkaStreams.test.ts: the
// .txt files next to this one. Regenerate them with Kafka Streams 4.1.1 (any JDK 17):
//   mvn -q dependency:get -Dartifact=org.apache.kafka:kafka-streams:4.1.1
//   CP=$(ls ~/.m2/repository/org/apache/kafka/kafka-{streams,clients}/4.1.1/*.jar ~/.m2/repository/org/slf4j/slf4j-api/1.7.36/*.jar | tr '\n' :)
//   java -cp "$CP" DescribeTopologies.java .
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.*;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;

public class DescribeTopologies {
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    write(dir, "join-after-key-change", joinAfterKeyChange());
    write(dir, "split-and-merge", splitAndMerge());
    write(dir, "table-join-and-regroup", tableJoinAndRegroup());
    write(dir, "processor-with-stores", processorWithStores());
    write(dir, "fan-out-and-in", fanOutAndIn());
    write(dir, "foreign-key-joins", foreignKeyJoins());
    write(dir, "cogroup", cogroup());
    write(dir, "suppressions", suppressions());
  }

  static void write(Path dir, String name, StreamsBuilder builder) throws IOException {
    Files.writeString(dir.resolve(name + ".txt"), builder.build().describe().toString());
  }

  static StreamsBuilder joinAfterKeyChange() {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, String> orders = b.stream("orders");
    KStream<String, String> payments = b.stream("payments");
    orders.selectKey((k, v) -> v)
      .join(payments, (o, p) -> o + p, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(10)))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
      .count()
      .toStream()
      .to("paid-per-minute");
    return b;
  }

  static StreamsBuilder splitAndMerge() {
    StreamsBuilder b = new StreamsBuilder();
    Map<String, KStream<String, String>> m = b.<String, String>stream("orders").split(Named.as("route-"))
      .branch((k, v) -> v.length() > 3, Branched.as("big"))
      .branch((k, v) -> v.length() > 1, Branched.as("small"))
      .defaultBranch(Branched.as("rest"));
    m.get("route-big").merge(m.get("route-small")).to("chosen");
    m.get("route-rest").to("rest");
    return b;
  }

  static StreamsBuilder tableJoinAndRegroup() {
    StreamsBuilder b = new StreamsBuilder();
    KTable<String, String> prices = b.table("prices");
    b.<String, String>stream("orders").join(prices, (o, p) -> o + p).to("priced");
    prices.groupBy((k, v) -> KeyValue.pair(v, k)).count().toStream().to("price-counts");
    return b;
  }

  static StreamsBuilder processorWithStores() {
    StreamsBuilder b = new StreamsBuilder();
    for (String store : new String[] {"orders-by-id", "alpha", "zeta"}) {
      b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.String()));
    }
    b.<String, String>stream("orders")
      .process(() -> new Processor<String, String, String, String>() {
        @Override
        public void process(Record<String, String> record) {}
      }, "orders-by-id", "alpha", "zeta")
      .to("out");
    return b;
  }

  static StreamsBuilder fanOutAndIn() {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, String> events = b.stream("events");
    events.filter((k, v) -> true).merge(events.mapValues(v -> v)).merge(events.peek((k, v) -> {})).to("all");
    events.to("copy");
    return b;
  }

  static StreamsBuilder foreignKeyJoins() {
    StreamsBuilder b = new StreamsBuilder();
    KTable<String, String> orders = b.table("orders");
    KTable<String, String> customers = b.table("customers");
    // Materialized: tributary keeps a foreign-key join's result in a store even when unnamed, and lists it.
    orders.join(customers, v -> v.substring(0, 1), (o, c) -> o + c, Materialized.as("inner-store")).toStream().to("enriched");
    orders.leftJoin(customers, v -> v.substring(0, 1), (o, c) -> o + c, TableJoined.as("by-customer"), Materialized.as("left-store"))
      .toStream().to("enriched-left");
    return b;
  }

  static StreamsBuilder cogroup() {
    StreamsBuilder b = new StreamsBuilder();
    KGroupedStream<String, String> clicks = b.<String, String>stream("clicks").groupByKey();
    KGroupedStream<String, String> buys = b.<String, String>stream("buys").selectKey((k, v) -> v).groupByKey();
    clicks.<String>cogroup((k, v, agg) -> agg + v).cogroup(buys, (k, v, agg) -> agg + v)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
      .aggregate(() -> "")
      .toStream()
      .to("activity");
    b.<String, String>stream("views").groupByKey().<String>cogroup((k, v, agg) -> agg + v).aggregate(() -> "", Named.as("views"), Materialized.as("views-store"))
      .toStream().to("viewed");
    return b;
  }

  static StreamsBuilder suppressions() {
    StreamsBuilder b = new StreamsBuilder();
    KGroupedStream<String, String> clicks = b.<String, String>stream("clicks").groupByKey();
    clicks.windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1))).count()
      .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
      .toStream().to("finals");
    clicks.count().suppress(Suppressed.untilTimeLimit(Duration.ofSeconds(10), Suppressed.BufferConfig.unbounded()).withName("limited"))
      .toStream().to("limited");
    return b;
  }
}
