import { Command } from 'commander';
import { loadConnectionConfig } from '../../config.ts';
import { TributaryError } from '../../errors.ts';
import { builtinCatalogueDir, loadCatalogue, type Catalogue } from '../../../schemas/catalogue.ts';
import { checkEntry, type CheckResult } from '../../../schemas/catalogueCheck.ts';
import { registerEntry, selectEntries, type RegistrationResult } from '../../../schemas/catalogueRegistration.ts';
import { RegistryRequestError } from '../../../schemas/errors.ts';
import { createRegistryClient, type RegistryClient } from '../../../schemas/registryClient.ts';

interface CommonOptions {
  registry?: string;
  catalogue: string;
  topicPrefix?: string;
  subject?: string[];
  json?: boolean;
}

/** A deploy step found schemas it must not ship (incompatible, refused). */
class SchemaGateError extends TributaryError {
  constructor(message: string) {
    super('SCHEMA_GATE', message);
  }
}

/**
 * `tributary schemas register|check|list`: what a deploy pipeline runs before workers start.
 * `register` sets each subject's compatibility rule and then registers; `check` writes
 * nothing and exits non-zero naming each incompatible field; `list` reads the registry.
 */
export function schemasCommand(): Command {
  const schemas = new Command('schemas').description('register, check and list the Avro schema catalogue in the schema registry');

  withCatalogueOptions(
    schemas
      .command('register')
      .description("set each subject's compatibility rule, then register the catalogue's schemas (a schema already there is left as is)")
      .option('--dry-run', 'print what would be registered; write nothing'),
  ).action(async (options: CommonOptions & { dryRun?: boolean }) => {
    const { registry, catalogue } = open(options);
    const results: RegistrationResult[] = [];
    const refused: { subject: string; message: string; reasons: readonly string[] }[] = [];
    // Subjects are independent: register them concurrently, report in catalogue order.
    const outcomes = await Promise.all(
      selectEntries(catalogue, options.subject).map(async (entry) => {
        try {
          return { entry, result: await registerEntry(registry, entry, options.dryRun) };
        } catch (error) {
          if (!(error instanceof RegistryRequestError)) throw error;
          // The registry refused it (409: incompatible): say which fields, then go on with the rest.
          const explained = await checkEntry(registry, entry).catch(() => undefined);
          return { entry, refusal: { subject: entry.subject, message: error.message, reasons: explained?.reasons ?? [] } };
        }
      }),
    );
    for (const outcome of outcomes) {
      if (outcome.result) results.push(outcome.result);
      if (outcome.refusal) refused.push(outcome.refusal);
    }
    if (options.json) {
      print(JSON.stringify({ results, refused }, null, 2));
    } else {
      for (const r of results) print(`${r.action.padEnd(14)} ${r.subject.padEnd(48)} ${r.compatibility.padEnd(19)} ${r.id === undefined ? '' : `id ${r.id}`}`.trimEnd());
      for (const r of refused) {
        print(`${'refused'.padEnd(14)} ${r.subject}: ${r.message}`);
        for (const reason of r.reasons) print(`    ${reason}`);
      }
    }
    if (refused.length) throw new SchemaGateError(`the registry refused ${refused.length} schema(s): ${refused.map((r) => r.subject).join(', ')}`);
  });

  withCatalogueOptions(
    schemas
      .command('check')
      .description("test every catalogue schema against the registry's versions under its rule (BACKWARD unless the catalogue says otherwise); exit 1 naming each incompatible field"),
  ).action(async (options: CommonOptions) => {
    const { registry, catalogue } = open(options);
    const results: CheckResult[] = await Promise.all(selectEntries(catalogue, options.subject).map((entry) => checkEntry(registry, entry)));
    const incompatible = results.filter((r) => r.status === 'incompatible');
    if (options.json) {
      print(JSON.stringify(results, null, 2));
    } else {
      for (const r of results) {
        print(`${(r.status === 'incompatible' ? 'INCOMPATIBLE' : r.status).padEnd(14)} ${r.subject.padEnd(48)} ${r.compatibility}`);
        for (const reason of r.reasons) print(`    ${reason}`);
      }
    }
    if (incompatible.length) {
      throw new SchemaGateError(`${incompatible.length} of ${results.length} schema(s) incompatible: ${incompatible.map((r) => r.subject).join(', ')}`);
    }
  });

  schemas
    .command('list')
    .description('show the registry: subjects, their versions and schema ids, and compatibility rules')
    .option('--registry <url>', 'schema registry URL (default: SCHEMA_REGISTRY_URL, then the local stack)')
    .option('--prefix <prefix>', 'only subjects starting with this')
    .option('--json', 'print JSON for scripts')
    .action(async (options: { registry?: string; prefix?: string; json?: boolean }) => {
      const registry = registryFor(options.registry);
      const rows = [];
      for (const subject of (await registry.subjects()).filter((s) => s.startsWith(options.prefix ?? ''))) {
        const versions = [];
        for (const version of await registry.versions(subject)) {
          const { id } = await registry.version(subject, version);
          versions.push({ version, id });
        }
        rows.push({ subject, compatibility: (await registry.compatibility(subject)) ?? null, versions });
      }
      if (options.json) return print(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return print('no subjects');
      for (const row of rows) {
        const versions = row.versions.map((v) => `v${v.version}=id ${v.id}`).join(', ');
        print(`${row.subject.padEnd(48)} ${(row.compatibility ?? '(global)').padEnd(19)} ${versions}`);
      }
    });

  return schemas;
}

function withCatalogueOptions(command: Command): Command {
  return command
    .option('--registry <url>', 'schema registry URL (default: SCHEMA_REGISTRY_URL, then the local stack)')
    .option('--catalogue <dir>', 'catalogue directory holding catalogue.json and the .avsc files', builtinCatalogueDir)
    .option('--topic-prefix <prefix>', 'prefix every topic (and so every subject) with this')
    .option('--subject <name...>', 'only these subjects (or topics)')
    .option('--json', 'print JSON for scripts');
}

function open(options: CommonOptions): { registry: RegistryClient; catalogue: Catalogue } {
  const catalogue = loadCatalogue(options.catalogue, options.topicPrefix ? { topicPrefix: options.topicPrefix } : {});
  return { registry: registryFor(options.registry), catalogue };
}

function registryFor(url: string | undefined): RegistryClient {
  return createRegistryClient({ url: loadConnectionConfig(url ? { registryUrl: url } : {}).registryUrl });
}

function print(line: string): void {
  process.stdout.write(line + '\n');
}
