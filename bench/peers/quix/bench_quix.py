"""The bench's workloads in Quix Streams, as tributary's bench/throughput/topologies/*.ts.

``stateful``: count + sum per customer, every update out. ``join-windowed``: each order joined
with the customer table (``join_asof``, inner), then count + sum per customer and 1-minute
tumbling window, every update out (``.current()``). Defaults a user gets (RocksDB state with
changelog topics, at-least-once), except the commit interval: tributary's 1 s instead of 5 s.

Reads and writes Avro in the Confluent wire format with one known schema per topic, as the
Kafka Streams peer does (bench/peers/kafka-streams/.../ConfluentAvroSerde.java). Settings come
from the environment (BENCH_*). Prints JSON lines the bench reads: ``first record since claim``
at its first order.
"""

import io
import json
import os
import struct
import sys
import tempfile
import time

import fastavro
from quixstreams import Application
from quixstreams.models.serializers import Deserializer, Serializer

WINDOW_MS = 60_000
GRACE_MS = 10_000


def env(name):
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} must be set")
    return value


def mark(msg):
    print(json.dumps({"level": 30, "time": int(time.time() * 1000), "msg": msg}), flush=True)


def schema(path):
    with open(path) as f:
        return fastavro.parse_schema(json.load(f))


class WireDeserializer(Deserializer):
    """Skips the magic byte and schema id, decodes with the topic's schema."""

    def __init__(self, parsed):
        super().__init__()
        self.parsed = parsed

    def __call__(self, value, ctx):
        if value is None:
            return None
        return fastavro.schemaless_reader(io.BytesIO(value[5:]), self.parsed, None)


class WireSerializer(Serializer):
    """Magic byte 0, the registry id, then the Avro binary."""

    def __init__(self, parsed, schema_id):
        super().__init__()
        self.parsed = parsed
        self.header = b"\x00" + struct.pack(">i", schema_id)

    def __call__(self, value, ctx):
        out = io.BytesIO()
        out.write(self.header)
        fastavro.schemaless_writer(out, self.parsed, value)
        return out.getvalue()


def main():
    workload = env("BENCH_WORKLOAD")
    app = Application(
        broker_address=env("BENCH_BROKERS"),
        consumer_group=env("BENCH_GROUP"),
        auto_offset_reset="earliest",
        commit_interval=1.0,
        state_dir=tempfile.mkdtemp(prefix="bench-quix-"),
        loglevel="WARNING",
    )
    orders = app.topic(env("BENCH_INPUT_TOPIC"), key_deserializer="str", value_deserializer=WireDeserializer(schema(env("BENCH_ORDER_SCHEMA"))))
    output = app.topic(
        env("BENCH_OUTPUT_TOPIC"),
        key_serializer="str",
        value_serializer=WireSerializer(schema(env("BENCH_OUTPUT_SCHEMA")), int(env("BENCH_OUTPUT_SCHEMA_ID"))),
    )
    seen = {"first": False}

    def first(value):
        if not seen["first"]:
            seen["first"] = True
            mark("first record since claim")

    sdf = app.dataframe(orders).update(first)

    if workload == "stateful":

        def totals(order, key, _timestamp, _headers, state):
            t = state.get("totals", {"orders": 0, "totalMinor": 0})
            t = {"orders": t["orders"] + 1, "totalMinor": t["totalMinor"] + order["totalMinor"]}
            state.set("totals", t)
            return {"customerId": key, **t}

        sdf = sdf.apply(totals, stateful=True, metadata=True)
    elif workload == "join-windowed":
        customers = app.topic(env("BENCH_TABLE_TOPIC"), key_deserializer="str", value_deserializer=WireDeserializer(schema(env("BENCH_TABLE_SCHEMA"))))
        sdf = sdf.join_asof(
            app.dataframe(customers),
            how="inner",
            on_merge=lambda order, customer: {"region": customer["region"], "totalMinor": order["totalMinor"]},
        )
        # The order's timestamp travels in the aggregate, so each window update is stamped with it (Quix stamps window results otherwise).
        sdf = sdf.apply(lambda v, _key, timestamp, _headers: {**v, "ts": timestamp}, metadata=True)
        sdf = (
            sdf.tumbling_window(duration_ms=WINDOW_MS, grace_ms=GRACE_MS)
            .reduce(
                reducer=lambda agg, v: {"region": v["region"], "orders": agg["orders"] + 1, "totalMinor": agg["totalMinor"] + v["totalMinor"], "ts": max(agg["ts"], v["ts"])},
                initializer=lambda v: {"region": v["region"], "orders": 1, "totalMinor": v["totalMinor"], "ts": v["ts"]},
            )
            .current()
        )
        sdf = sdf.set_timestamp(lambda row, _key, _timestamp, _headers: row["value"]["ts"])
        sdf = sdf.apply(
            lambda row, key, _timestamp, _headers: {
                "customerId": key,
                "region": row["value"]["region"],
                "windowStart": row["start"],
                "orders": row["value"]["orders"],
                "totalMinor": row["value"]["totalMinor"],
            },
            metadata=True,
        )
    else:
        raise SystemExit(f"BENCH_WORKLOAD must be stateful or join-windowed, not {workload}")

    sdf.to_topic(output)
    app.run()


if __name__ == "__main__":
    sys.exit(main())
