import net, { type AddressInfo } from 'node:net';

/**
 * The schema registry as workers reach it: a TCP pass-through to the real registry that a test
 * can shut (new connections refused, open ones cut) and open again on the same port.
 *
 * Why a test needs it: the local stack's Apicurio keeps schemas in memory, so after a restart
 * it answers before its schemas are restored, and a worker that asked for an id in that
 * window would be told, rightly, that the id does not exist (40403) and dead-letter the
 * record. A production registry keeps its schemas across restarts (Confluent's `_schemas`
 * topic, Apicurio on SQL), so it is unreachable until it is back with them: the gate, opened
 * only once the schemas are restored, is that registry.
 */
export class RegistryGate {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  private readonly upstream: { host: string; port: number };
  private readonly basePath: string;

  /** `registryUrl`: the real registry's base URL, API prefix included. */
  constructor(registryUrl: string) {
    const url = new URL(registryUrl);
    this.upstream = { host: url.hostname, port: Number(url.port || 80) };
    this.basePath = url.pathname.replace(/\/+$/, '');
  }

  /** The registry URL to give workers (valid once opened; the port stays across shut and open). */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.basePath}`;
  }

  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Starts accepting connections and piping them to the registry. */
  async open(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
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
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones (keep-alive sockets included). */
  async shut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
