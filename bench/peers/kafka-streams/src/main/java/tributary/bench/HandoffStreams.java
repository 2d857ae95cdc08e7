package tributary.bench;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The handoff bench's running sum (test/fault/fixtures/sumTopology.ts: numbers as JSON strings in,
 * a per-key sum in the key-value store {@code sums}, every update out) in Kafka Streams, with its
 * default RocksDB store and changelog {@code <application id>-sums-changelog}, so that the bench
 * can time how long a task that moves to an instance without local state takes to restore.
 *
 * <p>Settings (BENCH_*) as the throughput peer's. Every instance starts with an empty state
 * folder. Tributary's worker settings where they bear on a move: session timeout 10 s, heartbeat
 * 2 s, commit interval 1 s, record cache off. {@code acceptable.recovery.lag} is set to its
 * maximum, so a task moves to a joining instance at once and restores there, as it did before
 * Kafka Streams 2.6; with the default (10,000 records) a task whose changelog is longer stays
 * on its old owner while the new one warms a copy up in the background, and moves at a probing
 * rebalance (every 10 minutes by default). The restore is the same work either way. Each
 * instance is a static group member ({@code BENCH_INSTANCE}), so that it can leave on close.
 *
 * <p>Prints JSON lines shaped as tributary's worker log, with {@code task} the task id
 * ({@code 0_<partition>}): {@code restore start} (changelog offsets), {@code restore end}
 * (records restored), {@code restore suspended}, {@code first record since claim} (the first
 * record a task instance processes, after its restore), {@code task closed}, and
 * {@code running} when the instance is RUNNING. On SIGTERM it closes and leaves the group.
 */
public final class HandoffStreams {
  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException(name + " must be set");
    return value;
  }

  /** One JSON line; {@code fields} is already JSON (",\"a\":1" or ""). */
  private static synchronized void mark(String msg, String task, String fields) {
    String taskField = task == null ? "" : ",\"task\":\"" + task + "\"";
    System.out.println("{\"level\":30,\"time\":" + System.currentTimeMillis() + ",\"msg\":\"" + msg + "\"" + taskField + fields + "}");
    System.out.flush();
  }

  /** The changelog's partition p holds task 0_p's store (one subtopology). */
  private static String task(TopicPartition changelog) {
    return "0_" + changelog.partition();
  }

  /** Passes every value on; says when its task instance processed its first record and when it closed. */
  private static final class FirstRecord implements FixedKeyProcessor<String, Long, Long> {
    private FixedKeyProcessorContext<String, Long> context;
    private boolean seen = false;

    @Override
    public void init(FixedKeyProcessorContext<String, Long> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, Long> record) {
      if (!seen) {
        seen = true;
        mark("first record since claim", context.taskId().toString(), "");
      }
      context.forward(record);
    }

    @Override
    public void close() {
      mark("task closed", context.taskId().toString(), "");
    }
  }

  public static void main(String[] args) throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(env("BENCH_INPUT_TOPIC"), Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues((String value) -> Long.parseLong(value))
        .processValues(FirstRecord::new)
        .groupByKey(Grouped.with(Serdes.String(), Serdes.Long()))
        .reduce(Long::sum, Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("sums").withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
        .toStream()
        .to(env("BENCH_OUTPUT_TOPIC"), Produced.with(Serdes.String(), Serdes.Long()));

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, env("BENCH_GROUP"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env("BENCH_BROKERS"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("bench-kafka-streams-handoff").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    props.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, Long.MAX_VALUE);
    props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
    props.put(StreamsConfig.consumerPrefix("heartbeat.interval.ms"), 2_000);
    props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    // Kafka Streams 4.1 leaves the group on close only as a static member; a dynamic one is
    // dropped after the session timeout, which the survivor would wait out before its restore.
    props.put(StreamsConfig.consumerPrefix("group.instance.id"), env("BENCH_GROUP") + "-" + env("BENCH_INSTANCE"));

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    streams.setGlobalStateRestoreListener(new StateRestoreListener() {
      @Override
      public void onRestoreStart(TopicPartition changelog, String store, long startOffset, long endOffset) {
        mark("restore start", task(changelog), ",\"store\":\"" + store + "\",\"startOffset\":" + startOffset + ",\"endOffset\":" + endOffset);
      }

      @Override
      public void onBatchRestored(TopicPartition changelog, String store, long batchEndOffset, long numRestored) {}

      @Override
      public void onRestoreEnd(TopicPartition changelog, String store, long totalRestored) {
        mark("restore end", task(changelog), ",\"store\":\"" + store + "\",\"restored\":" + totalRestored);
      }

      @Override
      public void onRestoreSuspended(TopicPartition changelog, String store, long totalRestored) {
        mark("restore suspended", task(changelog), ",\"store\":\"" + store + "\",\"restored\":" + totalRestored);
      }
    });
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) mark("running", null, "");
      if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) stopped.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Leave the group, so the survivor is told at its next heartbeat rather than after the session timeout.
      streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(20)));
      streams.cleanUp();
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
  }
}
