package tributary.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The bench's workloads in Kafka Streams: {@code stateful} (count + sum per customer, every
 * update out) and {@code join-windowed} (join with the customer table, then count + sum per
 * customer and 1-minute tumbling window, every update out), as tributary's
 * bench/throughput/topologies/statefulAggregate.ts and joinWindowed.ts. Defaults a user gets
 * (RocksDB stores with changelogs, one stream thread, at_least_once), except the record cache,
 * which is off so that every update is forwarded as tributary forwards it, and the commit
 * interval, tributary's 1 s instead of 30 s ({@code BENCH_COMMIT_INTERVAL_MS} when the bench
 * sweeps it).
 *
 * <p>Settings come from the environment (BENCH_*). Prints JSON lines the bench reads:
 * {@code running} once the instance is RUNNING, {@code first record since claim} at its first order.
 */
public final class BenchStreams {
  private static final long WINDOW_MS = 60_000;
  private static final long GRACE_MS = 10_000;
  private static volatile boolean firstSeen = false;

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " must be set");
    return value;
  }

  private static Schema schema(String file) throws IOException {
    return new Schema.Parser().parse(new File(file));
  }

  private static void mark(String msg) {
    System.out.println("{\"level\":30,\"time\":" + System.currentTimeMillis() + ",\"msg\":\"" + msg + "\"}");
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    String workload = env("BENCH_WORKLOAD");
    ConfluentAvroSerde orders = new ConfluentAvroSerde(schema(env("BENCH_ORDER_SCHEMA")), 0);
    ConfluentAvroSerde output = new ConfluentAvroSerde(schema(env("BENCH_OUTPUT_SCHEMA")), Integer.parseInt(env("BENCH_OUTPUT_SCHEMA_ID")));

    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, GenericRecord> stream = builder.stream(env("BENCH_INPUT_TOPIC"), Consumed.with(Serdes.String(), orders)).peek((k, v) -> {
      if (!firstSeen) {
        firstSeen = true;
        mark("first record since claim");
      }
    });
    Schema out = output.schema();
    switch (workload) {
      case "stateful" -> stream
          .groupByKey(Grouped.with(Serdes.String(), orders))
          .aggregate(
              () -> totals(out, "", 0, 0),
              (customer, order, agg) -> totals(out, customer, (long) agg.get("orders") + 1, (long) agg.get("totalMinor") + (long) order.get("totalMinor")),
              Materialized.with(Serdes.String(), output))
          .toStream()
          .to(env("BENCH_OUTPUT_TOPIC"), Produced.with(Serdes.String(), output));
      case "join-windowed" -> {
        ConfluentAvroSerde profiles = new ConfluentAvroSerde(schema(env("BENCH_TABLE_SCHEMA")), 0);
        KTable<String, GenericRecord> customers = builder.table(env("BENCH_TABLE_TOPIC"), Consumed.with(Serdes.String(), profiles));
        stream
            .join(customers, (order, customer) -> windowTotals(out, "", customer.get("region").toString(), 0, 1, (long) order.get("totalMinor")))
            .groupByKey(Grouped.with(Serdes.String(), output))
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(GRACE_MS)))
            .aggregate(
                () -> windowTotals(out, "", "", 0, 0, 0),
                (customer, joined, agg) -> windowTotals(out, customer, joined.get("region").toString(), 0, (long) agg.get("orders") + 1, (long) agg.get("totalMinor") + (long) joined.get("totalMinor")),
                Materialized.with(Serdes.String(), output))
            .toStream()
            .map((windowed, agg) -> KeyValue.pair(windowed.key(), windowTotals(out, windowed.key(), agg.get("region").toString(), windowed.window().start(), (long) agg.get("orders"), (long) agg.get("totalMinor"))))
            .to(env("BENCH_OUTPUT_TOPIC"), Produced.with(Serdes.String(), output));
      }
      default -> throw new IllegalArgumentException("BENCH_WORKLOAD must be stateful or join-windowed, not " + workload);
    }

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, env("BENCH_GROUP"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env("BENCH_BROKERS"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-kafka-streams").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    String commitIntervalMs = System.getenv("BENCH_COMMIT_INTERVAL_MS");
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs == null || commitIntervalMs.isEmpty() ? 1000 : Long.parseLong(commitIntervalMs));
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) mark("running");
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) stopped.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(20));
      streams.cleanUp(); // the RocksDB folders in the temporary state dir
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
  }

  private static GenericRecord totals(Schema schema, String customer, long orders, long totalMinor) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("customerId", customer);
    r.put("orders", orders);
    r.put("totalMinor", totalMinor);
    return r;
  }

  private static GenericRecord windowTotals(Schema schema, String customer, String region, long windowStart, long orders, long totalMinor) {
    GenericRecord r = new GenericData.Record(schema);
    r.put("customerId", customer);
    r.put("region", region);
    r.put("windowStart", windowStart);
    r.put("orders", orders);
    r.put("totalMinor", totalMinor);
    return r;
  }
}
