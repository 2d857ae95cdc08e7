// What Kafka Streams itself outputs for random inputs to the topologies of
// kafkaStreamsBehaviour.test.ts: cases.txt next to this one, inputs and outputs of every case.
// Regenerate it with Kafka Streams 4.1.1 (any JDK 17):
//   mvn -q dependency:get -Dartifact=org.apache.kafka:kafka-streams-test-utils:4.1.1
//   CP=$(ls ~/.m2/repository/org/apache/kafka/kafka-{streams,streams-test-utils,clients}/4.1.1/*.jar ~/.m2/repository/org/rocksdb/rocksdbjni/9.7.3/*.jar ~/.m2/repository/org/slf4j/slf4j-api/1.7.36/*.jar | tr '\n' :)
//   java -cp "$CP" KafkaStreamsBehaviour.java cases.txt
//
// Window and session aggregates use Kafka Streams' in-memory stores, whose retention is exact
// (its default RocksDB stores expire whole segments, a minute or more at a time); joins and
// key-value aggregates use the defaults. The record cache is off, so every update is forwarded,
// and an outer join emits its unmatched records at every record rather than once a second.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.*;
import org.apache.kafka.streams.state.Stores;

public class KafkaStreamsBehaviour {
  static final int CASES_PER_KIND = 40;
  static final int MAX_INPUTS = 30;
  static final String[] KEYS = {"a", "b", "c", "d"};

  record Input(String topic, String key, String value, long timestamp) {}

  public static void main(String[] args) throws IOException {
    Random random = new Random(20261207L);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long size = 1 + random.nextInt(40), advance = Math.max(1, size / (1 + random.nextInt(3))), grace = random.nextInt(21), retention = size + grace + random.nextInt(31);
      run(out, "hopping size=" + size + " advance=" + advance + " grace=" + grace + " retention=" + retention, inputs(random, List.of(), "in"), List.of("updates", "finals"), b -> {
        KTable<Windowed<String>, Long> counts = b.<String, String>stream("in").groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)).advanceBy(Duration.ofMillis(advance)))
          .count(Materialized.<String, Long>as(Stores.inMemoryWindowStore("w", Duration.ofMillis(retention), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        windowedTo(counts.toStream(), "updates");
        windowedTo(counts.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())).toStream(), "finals");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long gap = 1 + random.nextInt(20), grace = random.nextInt(21);
      run(out, "session gap=" + gap + " grace=" + grace, inputs(random, List.of(), "in"), List.of("updates", "finals"), b -> {
        KTable<Windowed<String>, Long> counts = b.<String, String>stream("in").groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(gap), Duration.ofMillis(grace)))
          .count(Materialized.<String, Long>as(Stores.inMemorySessionStore("s", Duration.ofMillis(gap + grace))).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        windowedTo(counts.toStream(), "updates");
        windowedTo(counts.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())).toStream(), "finals");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long difference = 1 + random.nextInt(20), grace = random.nextInt(21);
      run(out, "sliding difference=" + difference + " grace=" + grace, inputs(random, List.of(), "in"), List.of("updates", "finals"), b -> {
        KTable<Windowed<String>, Long> counts = b.<String, String>stream("in").groupByKey()
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(difference), Duration.ofMillis(grace)))
          .count(Materialized.<String, Long>as(Stores.inMemoryWindowStore("w", Duration.ofMillis(2 * difference + grace), Duration.ofMillis(difference), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        windowedTo(counts.toStream(), "updates");
        windowedTo(counts.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())).toStream(), "finals");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "tables", inputs(random, List.of("left", "right"), "left", "right"), List.of("inner", "left-joined", "outer", "filtered", "mapped", "right-filtered"), b -> {
        KTable<String, String> left = b.table("left");
        KTable<String, String> right = b.table("right");
        // Declared before the joins materialize its table, this filter gets no old values.
        right.filter((k, v) -> v.length() == 2).toStream().to("right-filtered");
        left.join(right, KafkaStreamsBehaviour::pair).toStream().to("inner");
        left.leftJoin(right, KafkaStreamsBehaviour::pair).toStream().to("left-joined");
        left.outerJoin(right, KafkaStreamsBehaviour::pair).toStream().to("outer");
        left.filter((k, v) -> v.length() == 2).toStream().to("filtered");
        right.mapValues(v -> v + "!").toStream().to("mapped");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "regroup", inputs(random, List.of("in"), "in"), List.of("counts", "sums"), b -> {
        KTable<String, String> table = b.table("in");
        KGroupedTable<String, String> byLength = table.groupBy((k, v) -> KeyValue.pair(String.valueOf(v.length()), v), Grouped.with("by-length", Serdes.String(), Serdes.String()));
        byLength.count().toStream().to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        byLength.aggregate(() -> 0L, (k, v, sum) -> sum + Long.parseLong(v.substring(1)), (k, v, sum) -> sum - Long.parseLong(v.substring(1)), Materialized.with(Serdes.String(), Serdes.Long()))
          .toStream().to("sums", Produced.with(Serdes.String(), Serdes.Long()));
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "key-value", inputs(random, List.of("table"), "in", "table"), List.of("counts", "longest", "joined"), b -> {
        KStream<String, String> stream = b.stream("in");
        KTable<String, String> table = b.table("table");
        stream.groupByKey().count().toStream().to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        stream.groupByKey().reduce((a, v) -> v.length() >= a.length() ? v : a).toStream().to("longest");
        stream.leftJoin(table, KafkaStreamsBehaviour::pair).to("joined");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long difference = random.nextInt(21), grace = random.nextInt(21);
      run(out, "join difference=" + difference + " grace=" + grace, inputs(random, List.of(), "left", "right"), List.of("inner", "left-joined", "outer"), b -> {
        KStream<String, String> left = b.stream("left");
        KStream<String, String> right = b.stream("right");
        JoinWindows windows = JoinWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(difference), Duration.ofMillis(grace));
        left.join(right, KafkaStreamsBehaviour::pair, windows, StreamJoined.as("inner")).to("inner");
        left.leftJoin(right, KafkaStreamsBehaviour::pair, windows, StreamJoined.as("left")).to("left-joined");
        left.outerJoin(right, KafkaStreamsBehaviour::pair, windows, StreamJoined.as("outer")).to("outer");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long gap = 1 + random.nextInt(20), grace = random.nextInt(21);
      run(out, "session-aggregate gap=" + gap + " grace=" + grace, inputs(random, List.of(), "in"), List.of("merged", "merged-finals"), b -> {
        KTable<Windowed<String>, String> joined = b.<String, String>stream("in").groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(gap), Duration.ofMillis(grace)))
          .aggregate(() -> "", (k, v, agg) -> agg + "+" + v, (k, a1, a2) -> "(" + a1 + "|" + a2 + ")",
            Materialized.<String, String>as(Stores.inMemorySessionStore("s", Duration.ofMillis(gap + grace))).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        windowedStringsTo(joined.toStream(), "merged");
        windowedStringsTo(joined.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())).toStream(), "merged-finals");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long size = 1 + random.nextInt(40), advance = Math.max(1, size / (1 + random.nextInt(3))), grace = random.nextInt(21);
      run(out, "hopping-fold size=" + size + " advance=" + advance + " grace=" + grace, inputs(random, List.of(), "in"), List.of("reduced", "aggregated"), b -> {
        TimeWindowedKStream<String, String> windowed = b.<String, String>stream("in").groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)).advanceBy(Duration.ofMillis(advance)));
        windowedStringsTo(windowed.reduce((a, v) -> a + "+" + v,
          Materialized.<String, String>as(Stores.inMemoryWindowStore("r", Duration.ofMillis(size + grace), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String())).toStream(), "reduced");
        windowedStringsTo(windowed.aggregate(() -> "[", (k, v, agg) -> agg + v,
          Materialized.<String, String>as(Stores.inMemoryWindowStore("a", Duration.ofMillis(size + grace), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String())).toStream(), "aggregated");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "to-table", inputs(random, List.of("in"), "in"), List.of("table", "filtered", "counts"), b -> {
        KTable<String, String> table = b.<String, String>stream("in").toTable();
        table.toStream().to("table");
        table.filter((k, v) -> v.length() == 2).toStream().to("filtered");
        table.groupBy((k, v) -> KeyValue.pair(v.substring(0, 1), v), Grouped.with("by-first", Serdes.String(), Serdes.String())).count().toStream().to("counts", Produced.with(Serdes.String(), Serdes.Long()));
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "nulls", inputs(random, List.of("in", "table"), List.of("in"), "in", "table"), List.of("counts", "joined", "inner", "mapped"), b -> {
        KStream<String, String> stream = b.stream("in");
        KTable<String, String> table = b.table("table");
        stream.groupByKey().count().toStream().to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        stream.leftJoin(table, KafkaStreamsBehaviour::pair).to("joined");
        stream.join(table, KafkaStreamsBehaviour::pair).to("inner");
        stream.mapValues(v -> v == null ? "nothing" : v + "!").to("mapped");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long difference = random.nextInt(11);
      run(out, "derived difference=" + difference, inputs(random, List.of("table"), "in", "table"), List.of("joined-derived", "rekeyed-counts", "self"), b -> {
        KStream<String, String> stream = b.stream("in");
        KTable<String, String> derived = b.<String, String>table("table").filter((k, v) -> v.length() == 2).mapValues(v -> v + "?");
        stream.join(derived, KafkaStreamsBehaviour::pair).to("joined-derived");
        stream.selectKey((k, v) -> v.substring(v.length() - 1)).groupByKey(Grouped.as("by-last-digit")).count().toStream().to("rekeyed-counts", Produced.with(Serdes.String(), Serdes.Long()));
        stream.join(stream, KafkaStreamsBehaviour::pair, JoinWindows.ofTimeDifferenceWithNoGrace(Duration.ofMillis(difference)), StreamJoined.as("self")).to("self");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "assorted", inputs(random, List.of("table", "g"), "in", "table", "g"), List.of("global-joined", "global-left", "flat-counts", "sliding-reduced", "agg-joined"), b -> {
        KStream<String, String> stream = b.stream("in");
        KTable<String, String> table = b.table("table");
        GlobalKTable<String, String> global = b.globalTable("g");
        stream.join(global, (k, v) -> k, KafkaStreamsBehaviour::pair).to("global-joined");
        stream.leftJoin(global, (k, v) -> k, KafkaStreamsBehaviour::pair).to("global-left");
        stream.flatMap((k, v) -> List.of(KeyValue.pair(k, v), KeyValue.pair(v.substring(v.length() - 1), v))).groupByKey(Grouped.as("flat")).count()
          .toStream().to("flat-counts", Produced.with(Serdes.String(), Serdes.Long()));
        windowedStringsTo(stream.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(10), Duration.ofMillis(5)))
          .reduce((a, v) -> a + "+" + v, Materialized.<String, String>as(Stores.inMemoryWindowStore("sliding", Duration.ofMillis(25), Duration.ofMillis(10), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "sliding-reduced");
        stream.groupByKey().count().join(table, (count, value) -> count + "/" + value).toStream().to("agg-joined");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "table-regroup", inputs(random, List.of("left", "right"), "left", "right"), List.of("inner-counts", "left-sums", "outer-filtered", "joined-mapped"), b -> {
        KTable<String, String> left = b.table("left");
        KTable<String, String> right = b.table("right");
        KTable<String, String> inner = left.join(right, KafkaStreamsBehaviour::pair);
        inner.groupBy((k, v) -> KeyValue.pair(String.valueOf(v.length()), v), Grouped.with("inner-by-length", Serdes.String(), Serdes.String())).count()
          .toStream().to("inner-counts", Produced.with(Serdes.String(), Serdes.Long()));
        left.leftJoin(right, KafkaStreamsBehaviour::pair).groupBy((k, v) -> KeyValue.pair(v.substring(v.length() - 1), v), Grouped.with("left-by-last", Serdes.String(), Serdes.String()))
          .aggregate(() -> 0L, (k, v, sum) -> sum + v.length(), (k, v, sum) -> sum - v.length(), Materialized.with(Serdes.String(), Serdes.Long()))
          .toStream().to("left-sums", Produced.with(Serdes.String(), Serdes.Long()));
        left.outerJoin(right, KafkaStreamsBehaviour::pair).filter((k, v) -> v.length() % 2 == 0).toStream().to("outer-filtered");
        inner.mapValues(v -> v.toUpperCase()).toStream().to("joined-mapped");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long gap = 1 + random.nextInt(20), grace = random.nextInt(21);
      run(out, "session-reduce gap=" + gap + " grace=" + grace, inputs(random, List.of(), "in"), List.of("reduced", "reduced-finals"), b -> {
        KTable<Windowed<String>, String> reduced = b.<String, String>stream("in").groupByKey()
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(gap), Duration.ofMillis(grace)))
          .reduce((a, v) -> a + "+" + v, Materialized.<String, String>as(Stores.inMemorySessionStore("s", Duration.ofMillis(gap + grace))).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()));
        windowedStringsTo(reduced.toStream(), "reduced");
        windowedStringsTo(reduced.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())).toStream(), "reduced-finals");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "routes", inputs(random, List.of("table"), "in", "other", "table"), List.of("merged-counts", "long", "repartitioned", "rekeyed-joined", "rekeyed-left"), b -> {
        KStream<String, String> in = b.stream("in");
        KStream<String, String> other = b.stream("other");
        KTable<String, String> table = b.table("table");
        Map<String, KStream<String, String>> branches = in.split(Named.as("split-")).branch((k, v) -> v.length() == 2, Branched.as("short")).defaultBranch(Branched.as("long"));
        branches.get("split-short").merge(other).groupByKey().count().toStream().to("merged-counts", Produced.with(Serdes.String(), Serdes.Long()));
        branches.get("split-long").mapValues(v -> v + "!").to("long");
        in.selectKey((k, v) -> v.substring(v.length() - 1)).repartition(Repartitioned.as("by-last")).groupByKey().reduce((a, v) -> a + "+" + v).toStream().to("repartitioned");
        // Keys a to d again, from the value's last digit: the stream is repartitioned for the join.
        KStream<String, String> rekeyed = in.selectKey((k, v) -> String.valueOf((char) ('a' + (v.charAt(v.length() - 1) - '0') % 4)));
        rekeyed.join(table, KafkaStreamsBehaviour::pair).to("rekeyed-joined");
        rekeyed.leftJoin(table, KafkaStreamsBehaviour::pair).to("rekeyed-left");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "foreign-key", inputs(random, List.of("orders", "customers"), "orders", "customers"), List.of("fk-inner", "fk-left", "fk-counts", "fk-filtered"), b -> {
        KTable<String, String> orders = b.table("orders");
        KTable<String, String> customers = b.table("customers");
        // An order's customer is a to d by its value's last digit; none for a 9.
        BiFunction<String, String, String> customerOf = (k, v) -> v.endsWith("9") ? null : String.valueOf((char) ('a' + (v.charAt(v.length() - 1) - '0') % 4));
        orders.join(customers, customerOf, KafkaStreamsBehaviour::pair).toStream().to("fk-inner");
        orders.leftJoin(customers, customerOf, KafkaStreamsBehaviour::pair).toStream().to("fk-left");
        KTable<String, String> named = orders.join(customers, customerOf, KafkaStreamsBehaviour::pair, TableJoined.as("named"));
        named.groupBy((k, v) -> KeyValue.pair(v.substring(v.length() - 1), v), Grouped.with("fk-by-last", Serdes.String(), Serdes.String())).count()
          .toStream().to("fk-counts", Produced.with(Serdes.String(), Serdes.Long()));
        named.filter((k, v) -> v.length() % 2 == 0).toStream().to("fk-filtered");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long size = 1 + random.nextInt(40), grace = random.nextInt(21), gap = 1 + random.nextInt(20), difference = 1 + random.nextInt(20);
      run(out, "cogroup size=" + size + " grace=" + grace + " gap=" + gap + " difference=" + difference, inputs(random, List.of(), "clicks", "views", "buys"), List.of("totals", "windowed", "sliding", "sessions"), b -> {
        KStream<String, String> clicks = b.stream("clicks");
        KStream<String, String> views = b.stream("views");
        KStream<String, String> buys = b.stream("buys");
        cogrouped(clicks, views, buys, "buys-totals").aggregate(() -> "", Materialized.with(Serdes.String(), Serdes.String())).toStream().to("totals");
        windowedStringsTo(cogrouped(clicks, views, buys, "buys-windowed").windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)))
          .aggregate(() -> "", Materialized.<String, String>as(Stores.inMemoryWindowStore("w", Duration.ofMillis(size + grace), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "windowed");
        windowedStringsTo(cogrouped(clicks, views, buys, "buys-sliding").windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(difference), Duration.ofMillis(grace)))
          .aggregate(() -> "", Materialized.<String, String>as(Stores.inMemoryWindowStore("sl", Duration.ofMillis(2 * difference + grace), Duration.ofMillis(difference), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "sliding");
        windowedStringsTo(cogrouped(clicks, views, buys, "buys-sessions").windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(gap), Duration.ofMillis(grace)))
          .aggregate(() -> "", (k, a1, a2) -> "(" + a1 + "|" + a2 + ")", Materialized.<String, String>as(Stores.inMemorySessionStore("s", Duration.ofMillis(gap + grace))).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "sessions");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long difference = 1 + random.nextInt(20), gap = 1 + random.nextInt(20), grace = random.nextInt(21), extra = random.nextInt(40);
      run(out, "retained difference=" + difference + " gap=" + gap + " grace=" + grace + " extra=" + extra, inputs(random, List.of(), "in"), List.of("sliding-retained", "sessions-retained"), b -> {
        KGroupedStream<String, String> grouped = b.<String, String>stream("in").groupByKey();
        windowedStringsTo(grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(difference), Duration.ofMillis(grace)))
          .reduce((a, v) -> a + "+" + v, Materialized.<String, String>as(Stores.inMemoryWindowStore("sl", Duration.ofMillis(2 * difference + grace + extra), Duration.ofMillis(difference), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "sliding-retained");
        windowedStringsTo(grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(Duration.ofMillis(gap), Duration.ofMillis(grace)))
          .reduce((a, v) -> a + "+" + v, Materialized.<String, String>as(Stores.inMemorySessionStore("s", Duration.ofMillis(gap + grace + extra))).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "sessions-retained");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long size = 1 + random.nextInt(40), advance = Math.max(1, size / (1 + random.nextInt(3))), grace = random.nextInt(21), extra = random.nextInt(40);
      run(out, "emit-final size=" + size + " advance=" + advance + " grace=" + grace + " extra=" + extra, inputs(random, List.of(), "in"), List.of("closed-counts", "closed-folds", "closed-sliding"), b -> {
        KGroupedStream<String, String> grouped = b.<String, String>stream("in").groupByKey();
        TimeWindowedKStream<String, String> windowed = grouped
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)).advanceBy(Duration.ofMillis(advance)))
          .emitStrategy(EmitStrategy.onWindowClose());
        windowedTo(windowed.count(Materialized.<String, Long>as(Stores.inMemoryWindowStore("c", Duration.ofDays(1), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long())).toStream(), "closed-counts");
        windowedStringsTo(windowed.aggregate(() -> "[", (k, v, agg) -> agg + v,
          Materialized.<String, String>as(Stores.inMemoryWindowStore("a", Duration.ofMillis(size + grace + extra), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String())).toStream(), "closed-folds");
        // Sliding windows of the size as time difference, in a store of the retention they need.
        windowedStringsTo(grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)))
          .emitStrategy(EmitStrategy.onWindowClose())
          .reduce((a, v) -> a + "+" + v, Materialized.<String, String>as(Stores.inMemoryWindowStore("sl", Duration.ofMillis(2 * size + grace), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.String()))
          .toStream(), "closed-sliding");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long size = 1 + random.nextInt(30), grace = random.nextInt(11);
      run(out, "suppressed-table size=" + size + " grace=" + grace, inputs(random, List.of(), "in"), List.of("even-finals"), b -> {
        KTable<Windowed<String>, Long> counts = b.<String, String>stream("in").groupByKey()
          .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(size), Duration.ofMillis(grace)))
          .count(Materialized.<String, Long>as(Stores.inMemoryWindowStore("w", Duration.ofMillis(size + grace), Duration.ofMillis(size), false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
        // A filter over the finals sees each final's change as the buffer forwards it: the last update's old value.
        windowedTo(counts.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())).filter((k, v) -> v % 2 == 0).toStream(), "even-finals");
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      run(out, "aggregate-regroup", inputs(random, List.of(), "in"), List.of("by-count", "long-aggregates", "reduced-regrouped"), b -> {
        KGroupedStream<String, String> grouped = b.<String, String>stream("in").groupByKey();
        // A new aggregate's old value is what it started from: regrouping subtracts it from its group.
        grouped.count().groupBy((k, n) -> KeyValue.pair(String.valueOf(n % 3), k), Grouped.with("by-count", Serdes.String(), Serdes.String())).count()
          .toStream().to("by-count", Produced.with(Serdes.String(), Serdes.Long()));
        grouped.aggregate(() -> "", (k, v, agg) -> agg + v.substring(1), Materialized.with(Serdes.String(), Serdes.String())).filter((k, v) -> v.length() > 2).toStream().to("long-aggregates");
        grouped.reduce((a, v) -> v).groupBy((k, v) -> KeyValue.pair(v.substring(v.length() - 1), k), Grouped.with("by-last", Serdes.String(), Serdes.String())).count()
          .toStream().to("reduced-regrouped", Produced.with(Serdes.String(), Serdes.Long()));
      });
    }
    for (int i = 0; i < CASES_PER_KIND; i++) {
      long limit = random.nextInt(31);
      run(out, "time-limit limit=" + limit, inputs(random, List.of("t"), "in", "t"), List.of("limited-counts", "limited-table"), b -> {
        b.<String, String>stream("in").groupByKey().count().suppress(Suppressed.untilTimeLimit(Duration.ofMillis(limit), Suppressed.BufferConfig.unbounded()))
          .toStream().to("limited-counts", Produced.with(Serdes.String(), Serdes.Long()));
        b.<String, String>table("t").suppress(Suppressed.untilTimeLimit(Duration.ofMillis(limit), Suppressed.BufferConfig.unbounded())).toStream().to("limited-table");
      });
    }
    Files.writeString(Path.of(args[0]), out);
  }

  /** Clicks, views and buys (re-keyed by their last digit, through a repartition topic named `buys`) cogrouped into one string per key. */
  static CogroupedKStream<String, String> cogrouped(KStream<String, String> clicks, KStream<String, String> views, KStream<String, String> buys, String buysName) {
    return clicks.groupByKey().<String>cogroup((k, v, agg) -> agg + "c" + v.substring(1))
      .cogroup(views.groupByKey(), (k, v, agg) -> agg + "v" + v.substring(1))
      .cogroup(buys.selectKey((k, v) -> String.valueOf((char) ('a' + (v.charAt(v.length() - 1) - '0') % 4))).groupByKey(Grouped.as(buysName)), (k, v, agg) -> agg + "b" + v);
  }

  static String pair(String left, String right) {
    return (left == null ? "-" : left) + "+" + (right == null ? "-" : right);
  }

  static void windowedStringsTo(KStream<Windowed<String>, String> stream, String topic) {
    stream.map((k, v) -> KeyValue.pair(k.key() + "@" + k.window().start() + "," + k.window().end(), v)).to(topic);
  }

  static void windowedTo(KStream<Windowed<String>, Long> stream, String topic) {
    stream.map((k, v) -> KeyValue.pair(k.key() + "@" + k.window().start() + "," + k.window().end(), v)).to(topic, Produced.with(Serdes.String(), Serdes.Long()));
  }

  /** Records whose time mostly grows, with some late ones: cumulative steps from −15 to +25; a fifth of a table's are tombstones. */
  static List<Input> inputs(Random random, List<String> tableTopics, String... topics) {
    return inputs(random, tableTopics, List.of(), topics);
  }

  static List<Input> inputs(Random random, List<String> tableTopics, List<String> nullKeyTopics, String... topics) {
    List<Input> inputs = new ArrayList<>();
    long time = 0;
    int n = random.nextInt(MAX_INPUTS + 1);
    for (int i = 0; i < n; i++) {
      time = Math.max(0, time + random.nextInt(41) - 15);
      String key = KEYS[random.nextInt(KEYS.length)];
      String topic = topics[random.nextInt(topics.length)];
      // A table's topic gets a tombstone now and then; so do streams read with null keys and values.
      boolean tombstone = tableTopics.contains(topic) && random.nextInt(5) == 0;
      boolean nullKey = nullKeyTopics.contains(topic) && random.nextInt(6) == 0;
      inputs.add(new Input(topic, nullKey ? null : key, tombstone ? null : key + i, time));
    }
    return inputs;
  }

  static void run(StringBuilder out, String description, List<Input> inputs, List<String> outputs, Consumer<StreamsBuilder> topology) {
    StreamsBuilder builder = new StreamsBuilder();
    topology.accept(builder);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "behaviour");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    // An outer join emits its unmatched records at most once a second of wall-clock time, which
    // the test driver never moves: emit at every record, so the outputs follow event time alone.
    props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_OUTER_JOIN_SPURIOUS_RESULTS_FIX, 0L);
    // Likewise a windowed aggregate that emits on window close checks at most once a second.
    props.put(StreamsConfig.InternalConfig.EMIT_INTERVAL_MS_KSTREAMS_WINDOWED_AGGREGATION, 0L);
    out.append("case ").append(description).append('\n');
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      for (Input input : inputs) {
        TestInputTopic<String, String> topic = driver.createInputTopic(input.topic(), new StringSerializer(), new StringSerializer());
        topic.pipeInput(input.key(), input.value(), input.timestamp());
        out.append("in ").append(input.topic()).append(' ').append(input.key()).append(' ').append(input.value()).append(' ').append(input.timestamp()).append('\n');
      }
      for (String name : outputs) {
        Deserializer<?> values = List.of("counts", "updates", "finals", "sums", "rekeyed-counts", "flat-counts", "inner-counts", "left-sums", "merged-counts", "fk-counts", "closed-counts", "even-finals", "by-count", "reduced-regrouped", "limited-counts").contains(name) ? new LongDeserializer() : new StringDeserializer();
        for (var record : driver.createOutputTopic(name, new StringDeserializer(), values).readRecordsToList()) {
          out.append("out ").append(name).append(' ').append(record.key()).append(' ').append(record.value()).append(' ').append(record.timestamp()).append('\n');
        }
      }
    }
    out.append("end\n");
  }
}
