import { topology } from '../../../processors/topologyBuilder.ts';
import { workloadTopics } from '../benchTopics.ts';

const { topics, avro } = workloadTopics();

/** Every order read and written again unchanged: the cost of the framework and Avro alone. */
const app = topology('bench-passthrough');
app.stream(topics.orders, { serdes: avro.serdes(topics.orders) }).to(topics.copied, { serdes: avro.serdes(topics.copied) });

export default app;
