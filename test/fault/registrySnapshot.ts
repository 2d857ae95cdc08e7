import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The whole content of an Apicurio registry (its admin export: every subject, version, id and
 * rule), to put back after the local stack's in-memory registry restarts. Import keeps the
 * ids (Apicurio preserves content and global ids), so records already framed with them, and
 * the ids workers have cached, mean the same schemas afterwards. Re-registering would not do:
 * ids are handed out in registration order, so they would depend on what else the registry
 * held, and an old id could come back naming another schema.
 */
export class RegistrySnapshot {
  private constructor(
    private readonly registryUrl: string,
    private readonly zip: ArrayBuffer,
  ) {}

  /** Exports the registry behind `registryUrl` (the Confluent API base, `…/apis/ccompat/v7`). */
  static async take(registryUrl: string): Promise<RegistrySnapshot> {
    const response = await fetch(`${adminBase(registryUrl)}/admin/export`, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`exporting the registry answered ${response.status}: ${await response.text()}`);
    return new RegistrySnapshot(registryUrl, await response.arrayBuffer());
  }

  /**
   * Puts the snapshot back unless the registry still answers every id in `ids` (a registry
   * that kept its schemas over the restart). Says which it was. Apicurio imports only into an
   * empty registry: call it before anything else registers.
   */
  async restore(ids: readonly number[]): Promise<'kept' | 'imported'> {
    if (await this.answersAll(ids)) return 'kept';
    const response = await fetch(`${adminBase(this.registryUrl)}/admin/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip' },
      body: this.zip,
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok) {
      // Apicurio imports only into an empty registry (409 "Registry is not empty"): something registered first.
      const kept = path.join(os.tmpdir(), `tributary-registry-snapshot-${Date.now()}.zip`);
      fs.writeFileSync(kept, Buffer.from(this.zip));
      throw new Error(
        `importing the registry snapshot answered ${response.status}: ${await response.text()}; ` +
          `restart the registry and POST ${kept} to ${adminBase(this.registryUrl)}/admin/import (content-type: application/zip)`,
      );
    }
    if (!(await this.answersAll(ids))) throw new Error(`the registry does not answer schema ids ${ids.join(', ')} after the import`);
    return 'imported';
  }

  private async answersAll(ids: readonly number[]): Promise<boolean> {
    for (const id of ids) {
      const response = await fetch(`${this.registryUrl}/schemas/ids/${id}`, { signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      if (response.status !== 200) return false;
    }
    return true;
  }
}

/** Apicurio's own API beside its Confluent-compatible one. */
function adminBase(registryUrl: string): string {
  const base = registryUrl.replace(/\/+$/, '');
  if (!base.endsWith('/apis/ccompat/v7')) throw new Error(`${registryUrl} is not Apicurio's Confluent API (…/apis/ccompat/v7): cannot snapshot it`);
  return base.replace(/\/apis\/ccompat\/v7$/, '/apis/registry/v3');
}
