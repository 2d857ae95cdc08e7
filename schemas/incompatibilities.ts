import avro from 'avsc';
import type { CompatibilityLevel } from './compatibilityLevel.ts';

/** A schema version to compare against: its number (for messages) and its type. */
export interface PreviousVersion {
  readonly version: number;
  readonly type: avro.Type;
}

/**
 * Why `candidate` breaks `level` against `previous` (ascending versions), one line per
 * problem naming the field path, e.g. `v3 cannot read data written with v2:
 * OrderCreated.priority: field added without a default`. Empty when compatible. Used to
 * explain the registry's verdict (Apicurio's verbose check says only `is_compatible:false`)
 * and to judge locally when the registry's rule differs from the catalogue's. Resolution
 * follows avsc, which implements the Avro spec's rules: defaults, aliases, promotions.
 */
export function incompatibilities(candidate: avro.Type, previous: readonly PreviousVersion[], level: CompatibilityLevel): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const against = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const reasons: string[] = [];
  for (const old of against) {
    if (backward) {
      for (const why of readProblems(candidate, old.type)) reasons.push(`new schema cannot read data written with v${old.version}: ${why}`);
    }
    if (forward) {
      for (const why of readProblems(old.type, candidate)) reasons.push(`v${old.version} cannot read data written with the new schema: ${why}`);
    }
  }
  return reasons;
}

/** Problems a `reader` has with data from `writer`, each prefixed with its field path; empty when it resolves. */
export function readProblems(reader: avro.Type, writer: avro.Type, path: string = shortName(reader)): string[] {
  try {
    reader.createResolver(writer);
    return [];
  } catch (error) {
    const explained = explain(reader, writer, path);
    return explained.length ? explained : [`${path}: ${(error as Error).message}`];
  }
}

function explain(reader: avro.Type, writer: avro.Type, path: string): string[] {
  if (reader instanceof avro.types.RecordType && writer instanceof avro.types.RecordType) {
    const problems: string[] = [];
    if (reader.name !== writer.name && !(reader.aliases ?? []).includes(writer.name!)) {
      problems.push(`${path}: record renamed from ${writer.name} to ${reader.name} without an alias`);
    }
    for (const field of reader.fields) {
      const names = [field.name, ...(field.aliases ?? [])];
      const written = writer.fields.find((w) => names.includes(w.name));
      const fieldPath = `${path}.${field.name}`;
      if (!written) {
        if (!hasDefault(field)) problems.push(`${fieldPath}: field added without a default (old records have no value for it)`);
        continue;
      }
      problems.push(...readProblems(field.type, written.type, fieldPath));
    }
    return problems;
  }
  if (reader instanceof avro.types.EnumType && writer instanceof avro.types.EnumType) {
    const missing = writer.symbols.filter((s) => !reader.symbols.includes(s));
    const readerDefault = (reader.schema() as { default?: string }).default;
    if (missing.length && readerDefault === undefined) return [`${path}: enum symbols ${missing.join(', ')} removed and the enum has no default`];
    return [];
  }
  if (reader instanceof avro.types.ArrayType && writer instanceof avro.types.ArrayType) {
    return readProblems(reader.itemsType, writer.itemsType, `${path}[]`);
  }
  if (reader instanceof avro.types.MapType && writer instanceof avro.types.MapType) {
    return readProblems(reader.valuesType as avro.Type, writer.valuesType as avro.Type, `${path}{}`);
  }
  return [`${path}: type changed from ${describe(writer)} to ${describe(reader)}`];
}

function hasDefault(field: avro.types.Field): boolean {
  // avsc's defaultValue() returns undefined when the field declares no default.
  return field.defaultValue() !== undefined;
}

function describe(type: avro.Type): string {
  const schema = type.schema();
  return typeof schema === 'string' ? schema : JSON.stringify(schema);
}

function shortName(type: avro.Type): string {
  const name = type.name ?? type.typeName;
  return name.slice(name.lastIndexOf('.') + 1);
}
