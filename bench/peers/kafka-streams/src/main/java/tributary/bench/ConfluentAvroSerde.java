package tributary.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro records in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary) with
 * one known schema: what Confluent's KafkaAvroSerde does once its schema cache is warm (and what
 * tributary's AvroSerde does), without the registry client, which is not on Maven Central.
 * Reading skips the id and decodes with the topic's schema (the bench writes only that one).
 */
final class ConfluentAvroSerde implements Serde<GenericRecord> {
  private static final byte MAGIC = 0;
  private final Schema schema;
  private final int schemaId;
  private final GenericDatumReader<GenericRecord> reader;
  private final GenericDatumWriter<GenericRecord> writer;

  /** @param schemaId the id written in front of every record (the subject's id in the registry) */
  ConfluentAvroSerde(Schema schema, int schemaId) {
    this.schema = schema;
    this.schemaId = schemaId;
    this.reader = new GenericDatumReader<>(schema);
    this.writer = new GenericDatumWriter<>(schema);
  }

  Schema schema() {
    return schema;
  }

  @Override
  public Serializer<GenericRecord> serializer() {
    return (topic, record) -> {
      if (record == null) return null;
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      out.write(MAGIC);
      out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      try {
        writer.write(record, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    };
  }

  @Override
  public Deserializer<GenericRecord> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) return null;
      if (bytes.length < 5 || bytes[0] != MAGIC) throw new IllegalArgumentException("not in the Confluent wire format");
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
      try {
        return reader.read(null, decoder);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
