import net, { type AddressInfo } from 'node:net';

/**
 * The schema registry as workers reach it: a TCP pass-through to the real registry that a test
 * can shut (open connections cut, new ones reset) and open again.
 *
 * Why a test needs it: the local stack's Apicurio keeps schemas in memory, so after a restart
 * it answers before its schemas are restored, and a worker that asked for an id in that
 * window would be told, rightly, that the id does not exist (40403) and dead-letter the
 * record. A production registry keeps its schemas across restarts (Confluent's `_schemas`
 * topic, Apicurio on SQL), so it is unreachable until it is back with them: the gate, opened
 * only once the schemas are restored, is that registry.
 *
 * The gate keeps listening while shut and resets what it accepts: closing the listener and
 * listening again on the same port can fail, because the port lies in the ephemeral range and
 * any outgoing connection on the machine may be given it in between (EADDRINUSE).
 */
export class RegistryGate {
  private server: net.Server | undefined;
  private passing = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly upstream: { host: string; port: number };
  private readonly basePath: string;

  /** `registryUrl`: the real registry's base URL, API prefix included. */
  constructor(registryUrl: string) {
    const url = new URL(registryUrl);
    this.upstream = { host: url.hostname, port: Number(url.port || 80) };
    this.basePath = url.pathname.replace(/\/+$/, '');
  }

  /** The registry URL to give workers (valid once opened; the port stays until close). */
  get url(): string {
    if (!this.server) throw new Error('the registry gate has not been opened');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.basePath}`;
  }

  /** Passes connections through to the registry, listening first if it is not yet. */
  async open(): Promise<void> {
    this.server ??= await this.listen();
    this.passing = true;
  }

  /** Cuts the open connections (keep-alive sockets included) and resets new ones until opened. */
  shut(): void {
    this.passing = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Shuts the gate and stops listening. */
  async close(): Promise<void> {
    this.shut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<net.Server> {
    const server = net.createServer((client) => {
      if (!this.passing) {
        client.on('error', () => undefined);
        client.resetAndDestroy();
        return;
      }
      const upstream = net.connect(this.upstream);
      const cut = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', cut);
        socket.on('close', cut);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }
}
