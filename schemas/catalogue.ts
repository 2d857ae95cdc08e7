import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { z } from 'zod';
import { CatalogueError } from './errors.ts';
import { compatibilityLevelSchema, type CompatibilityLevel } from './compatibilityLevel.ts';
import { topicNameStrategy, type SubjectStrategy } from './subjectStrategy.ts';

/** The catalogue shipped with tributary: the order domain's events and commands. */
export const builtinCatalogueDir = fileURLToPath(new URL('./avro/', import.meta.url));

/** File that lists a catalogue directory's topics; the .avsc files sit beside it. */
export const MANIFEST_FILE = 'catalogue.json';

const manifestSchema = z.object({
  defaultCompatibility: compatibilityLevelSchema.default('BACKWARD'),
  entries: z
    .array(
      z.object({
        topic: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/, 'a topic is <domain>.<entity>.<event>, lower case'),
        schema: z.string().endsWith('.avsc'),
        key: z.string().min(1),
        compatibility: compatibilityLevelSchema.optional(),
      }),
    )
    .min(1),
});

/**
 * One topic of the catalogue. Keys are plain UTF-8 strings holding the value's `key`
 * field (so producers, partitioners and queries agree without a registry round trip);
 * values are Avro records in the Confluent wire format, registered under `subject`.
 */
export interface CatalogueEntry {
  readonly topic: string;
  /** Registry subject of the value schema, from the catalogue's subject strategy. */
  readonly subject: string;
  /** Full name (namespace.Name) of the value record. */
  readonly recordName: string;
  /** Absolute path of the .avsc file. */
  readonly schemaFile: string;
  /** The parsed .avsc, as registered. */
  readonly schema: avro.Schema;
  /** The value's reader and writer type: records are written with it and read into it. */
  readonly type: avro.Type;
  /** Name of the value field whose string is the message key. */
  readonly key: string;
  readonly compatibility: CompatibilityLevel;
}

/** Topic → subject → schema for one catalogue directory. */
export interface Catalogue {
  readonly dir: string;
  readonly entries: readonly CatalogueEntry[];
  /** The entry for a topic; throws CatalogueError naming the topic when it is not catalogued. */
  entry(topic: string): CatalogueEntry;
  has(topic: string): boolean;
}

export interface LoadCatalogueOptions {
  /** Subject naming; TopicName (`<topic>-value`) unless told. */
  readonly strategy?: SubjectStrategy;
  /** Prepended to every topic (and so every TopicName subject): tenants, test runs. */
  readonly topicPrefix?: string;
}

/**
 * Reads `catalogue.json` and every .avsc it names from `dir`, parses each schema with avsc
 * and checks that the key field is a non-null string. Synchronous: it runs once at startup.
 */
export function loadCatalogue(dir: string = builtinCatalogueDir, options: LoadCatalogueOptions = {}): Catalogue {
  const strategy = options.strategy ?? topicNameStrategy;
  const prefix = options.topicPrefix ?? '';
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const manifestResult = manifestSchema.safeParse(readJson(manifestPath));
  if (!manifestResult.success) {
    const issue = manifestResult.error.issues[0]!;
    throw new CatalogueError(`${manifestPath}: ${issue.path.join('.') || 'manifest'}: ${issue.message}`);
  }
  const manifest = manifestResult.data;
  const byTopic = new Map<string, CatalogueEntry>();
  for (const raw of manifest.entries) {
    const topic = prefix + raw.topic;
    if (byTopic.has(topic)) throw new CatalogueError(`${manifestPath}: topic ${topic} is listed twice`);
    const schemaFile = path.resolve(dir, raw.schema);
    const schema = readJson(schemaFile) as avro.Schema;
    let type: avro.Type;
    try {
      type = avro.Type.forSchema(schema);
    } catch (error) {
      throw new CatalogueError(`${schemaFile}: not a valid Avro schema: ${(error as Error).message}`, { cause: error });
    }
    if (!(type instanceof avro.types.RecordType) || !type.name) {
      throw new CatalogueError(`${schemaFile}: a catalogue schema must be a named record`);
    }
    const keyField = type.field(raw.key);
    if (!keyField || !(keyField.type instanceof avro.types.StringType)) {
      throw new CatalogueError(`${schemaFile}: key field ${raw.key} must be a non-null string field of ${type.name}`);
    }
    byTopic.set(topic, {
      topic,
      subject: strategy(topic, type.name, false),
      recordName: type.name,
      schemaFile,
      schema,
      type,
      key: raw.key,
      compatibility: raw.compatibility ?? manifest.defaultCompatibility,
    });
  }
  const entries = [...byTopic.values()];
  return {
    dir,
    entries,
    has: (topic) => byTopic.has(topic),
    entry(topic) {
      const found = byTopic.get(topic);
      if (!found) throw new CatalogueError(`topic ${topic} is not in the schema catalogue (${manifestPath})`);
      return found;
    },
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CatalogueError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CatalogueError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
