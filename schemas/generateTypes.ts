import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCatalogue, type Catalogue } from './catalogue.ts';
import { CatalogueError } from './errors.ts';

/** Where `npm run schemas:generate` writes, committed to git; a unit test fails when it is stale. */
export const generatedTypesFile = fileURLToPath(new URL('./generated/types.ts', import.meta.url));

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const primitives: Record<string, string> = {
  null: 'null',
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  float: 'number',
  double: 'number',
  bytes: 'Buffer',
  string: 'string',
};

/**
 * Renders TypeScript declarations for every named type of the catalogue (records as
 * interfaces, enums as string unions), plus `TopicValues` mapping each topic to its value
 * type. Deterministic: same catalogue, same text. Types follow what avsc decodes without
 * logical-type options: long (and timestamp-millis) as number, bytes as Buffer, nullable
 * unions as `T | null`. A name defined twice must render identically, and short names must
 * be unique, because TypeScript has no namespaces here.
 */
export function renderTypes(catalogue: Catalogue): string {
  const declarations = new Map<string, { fullName: string; text: string }>();
  const known = new Map<string, string>(); // full name → TS name

  const fullNameOf = (name: string, namespace: string | undefined): string =>
    name.includes('.') || !namespace ? name : `${namespace}.${name}`;

  const declare = (fullName: string, text: string, file: string): void => {
    const tsName = fullName.slice(fullName.lastIndexOf('.') + 1);
    const existing = declarations.get(tsName);
    if (existing && existing.fullName !== fullName) {
      throw new CatalogueError(`${file}: ${fullName} and ${existing.fullName} would both generate TypeScript type ${tsName}`);
    }
    if (existing && existing.text !== text) {
      throw new CatalogueError(`${file}: ${fullName} is defined differently in two schemas; keep one definition`);
    }
    declarations.set(tsName, { fullName, text });
  };

  const typeOf = (schema: Json, namespace: string | undefined, file: string): string => {
    if (typeof schema === 'string') {
      const primitive = primitives[schema];
      if (primitive) return primitive;
      const ref = known.get(fullNameOf(schema, namespace)) ?? known.get(schema);
      if (!ref) throw new CatalogueError(`${file}: unknown type ${schema}`);
      return ref;
    }
    if (Array.isArray(schema)) {
      const complex = schema.filter((branch) => typeof branch !== 'string' || !(branch in primitives));
      if (complex.length > 1) throw new CatalogueError(`${file}: unions of several named types are not supported (avsc would wrap them)`);
      return schema.map((branch) => typeOf(branch, namespace, file)).join(' | ');
    }
    if (schema === null || typeof schema !== 'object') throw new CatalogueError(`${file}: unexpected schema ${JSON.stringify(schema)}`);
    const kind = schema.type;
    if (typeof kind === 'string' && kind in primitives) return primitives[kind]!; // incl. logical types on primitives
    switch (kind) {
      case 'array':
        return `readonly ${parenthesize(typeOf(schema.items!, namespace, file))}[]`;
      case 'map':
        return `Readonly<Record<string, ${typeOf(schema.values!, namespace, file)}>>`;
      case 'fixed':
        return 'Buffer';
      case 'enum':
      case 'record':
      case 'error':
        return declareNamed(schema, namespace, file);
      default:
        throw new CatalogueError(`${file}: unsupported schema type ${JSON.stringify(kind)}`);
    }
  };

  const declareNamed = (schema: JsonObject, namespace: string | undefined, file: string): string => {
    const ownNamespace = typeof schema.namespace === 'string' ? schema.namespace : namespace;
    const fullName = fullNameOf(String(schema.name), ownNamespace);
    const innerNamespace = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
    const tsName = fullName.slice(fullName.lastIndexOf('.') + 1);
    known.set(fullName, tsName);
    const lines: string[] = [];
    lines.push(...docLines(schema.doc, '', `Avro ${schema.type} ${fullName}.`));
    if (schema.type === 'enum') {
      const symbols = (schema.symbols as string[]).map((s) => `'${s}'`).join(' | ');
      lines.push(`export type ${tsName} = ${symbols};`);
    } else {
      lines.push(`export interface ${tsName} {`);
      for (const field of schema.fields as JsonObject[]) {
        const fieldType = typeOf(field.type!, innerNamespace, file);
        // Say what the number means when the .avsc's doc does not already.
        const said = typeof field.doc === 'string' && /epoch milli/i.test(field.doc);
        const timestamp = isTimestampMillis(field.type!) && !said ? ' Epoch milliseconds (Avro timestamp-millis).' : '';
        const doc = typeof field.doc === 'string' ? field.doc + timestamp : timestamp.trim() || undefined;
        lines.push(...docLines(doc, '  '));
        lines.push(`  readonly ${String(field.name)}: ${fieldType};`);
      }
      lines.push('}');
    }
    declare(fullName, lines.join('\n'), file);
    return tsName;
  };

  const topicLines: string[] = [];
  for (const entry of catalogue.entries) {
    const tsName = typeOf(entry.schema as Json, undefined, entry.schemaFile);
    topicLines.push(`  '${entry.topic}': ${tsName};`);
  }

  return [
    '// Generated by `npm run schemas:generate` from schemas/avro/*.avsc. Do not edit by hand:',
    '// change the .avsc and regenerate (test/unit/schemas/generatedTypes.test.ts fails when stale).',
    '',
    ...[...declarations.values()].flatMap((d) => [d.text, '']),
    '/** Value type of every catalogued topic: `TopicValues[\'orders.order.created\']` is OrderCreated. Keys are strings. */',
    'export interface TopicValues {',
    ...topicLines,
    '}',
    '',
    '/** A catalogued topic name. */',
    'export type Topic = keyof TopicValues;',
    '',
  ].join('\n');
}

function parenthesize(type: string): string {
  return type.includes(' ') ? `(${type})` : type;
}

function isTimestampMillis(schema: Json): boolean {
  if (Array.isArray(schema)) return schema.some(isTimestampMillis);
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) && schema.logicalType === 'timestamp-millis';
}

function docLines(doc: Json | undefined, indent: string, fallback?: string): string[] {
  const text = typeof doc === 'string' ? doc : fallback;
  return text ? [`${indent}/** ${text.replace(/\*\//g, '* /')} */`] : [];
}

// `tsx schemas/generateTypes.ts` writes the file; importing this module does not.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const text = renderTypes(loadCatalogue());
  fs.mkdirSync(path.dirname(generatedTypesFile), { recursive: true });
  fs.writeFileSync(generatedTypesFile, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), generatedTypesFile)}\n`);
}
