import avro from 'avsc';
import type { CompatibilityLevel } from '../../../schemas/compatibilityLevel.ts';
import { RegistryUnavailableError, UnknownSchemaIdError } from '../../../schemas/errors.ts';
import type { RegistryClient, SubjectVersion } from '../../../schemas/registryClient.ts';

/** A RegistryClient kept in memory, with a switch that makes it behave like a registry that is down. */
export class InMemoryRegistry implements RegistryClient {
  down = false;
  calls = 0;
  private readonly schemas: string[] = [];
  private readonly subjectVersions = new Map<string, number[]>();
  private readonly rules = new Map<string, CompatibilityLevel>();

  /** `url` tells registries apart (two clients of one URL are one registry). */
  constructor(readonly url = 'memory://registry') {}

  private touch(): void {
    this.calls++;
    if (this.down) throw new RegistryUnavailableError('schema registry at memory://registry is unreachable: ECONNREFUSED');
  }

  private idOf(schema: avro.Schema): number {
    const canonical = JSON.stringify(avro.Type.forSchema(schema).schema());
    let index = this.schemas.indexOf(canonical);
    if (index < 0) index = this.schemas.push(canonical) - 1;
    return index + 1;
  }

  async schemaById(id: number): Promise<avro.Type> {
    this.touch();
    const text = this.schemas[id - 1];
    if (!text) throw new UnknownSchemaIdError(id);
    return avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  }
  async register(subject: string, schema: avro.Schema): Promise<number> {
    this.touch();
    const id = this.idOf(schema);
    const ids = this.subjectVersions.get(subject) ?? [];
    if (!ids.includes(id)) ids.push(id);
    this.subjectVersions.set(subject, ids);
    return id;
  }
  async idForSchema(subject: string, schema: avro.Schema): Promise<number | undefined> {
    this.touch();
    const canonical = JSON.stringify(avro.Type.forSchema(schema).schema());
    const id = this.schemas.indexOf(canonical) + 1;
    return id > 0 && this.subjectVersions.get(subject)?.includes(id) ? id : undefined;
  }
  async subjects(): Promise<string[]> {
    this.touch();
    return [...this.subjectVersions.keys()].sort();
  }
  async versions(subject: string): Promise<number[]> {
    this.touch();
    return (this.subjectVersions.get(subject) ?? []).map((_, i) => i + 1);
  }
  async version(subject: string, version: number | 'latest'): Promise<SubjectVersion> {
    this.touch();
    const ids = this.subjectVersions.get(subject) ?? [];
    const index = version === 'latest' ? ids.length - 1 : version - 1;
    const id = ids[index]!;
    return { subject, version: index + 1, id, schema: this.schemas[id - 1]! };
  }
  async compatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    this.touch();
    return this.rules.get(subject);
  }
  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    this.touch();
    this.rules.set(subject, level);
  }
  async isCompatible(): Promise<boolean> {
    this.touch();
    return true;
  }
}
