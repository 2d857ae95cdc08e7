import net, { type AddressInfo } from 'node:net';

/**
 * A TCP pass-through to a real server (Redis, the schema registry) that a test can shut, as
 * if the server were gone, and open again on the same port; or that passes requests on while
 * losing the replies, as a connection dropped mid-reply does.
 *
 * It keeps listening while shut and resets what it accepts: closing the listener and
 * listening again on the same port can fail, because the port lies in the ephemeral range and
 * any outgoing connection on the machine may be given it in between (EADDRINUSE).
 */
export class TcpGate {
  private server: net.Server | undefined;
  private passing = false;
  private readonly sockets = new Set<net.Socket>();
  /** While set, what the server sends back is dropped instead of reaching the client. */
  loseReplies = false;

  constructor(private readonly upstream: { host: string; port: number }) {}

  /** The port clients connect to (valid once opened; it stays until close). */
  get port(): number {
    if (!this.server) throw new Error('the gate has not been opened');
    return (this.server.address() as AddressInfo).port;
  }

  /** Passes connections through to the server, listening first if it is not yet. */
  async open(): Promise<void> {
    this.server ??= await this.listen();
    this.passing = true;
  }

  /** Cuts the open connections (keep-alive sockets included); new ones still pass. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Cuts the open connections and resets new ones until opened again: the server is gone. */
  shut(): void {
    this.passing = false;
    this.dropConnections();
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
      client.pipe(upstream);
      upstream.on('data', (data: Buffer) => {
        if (!this.loseReplies) client.write(data);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return server;
  }
}
