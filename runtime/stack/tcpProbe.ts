import net from 'node:net';

/**
 * Opens a TCP connection to host:port, optionally sends `request`, and resolves with what the peer
 * sent back first ('' when nothing was asked), or undefined on refusal or timeout. Never rejects.
 */
export function tcpExchange(host: string, port: number, timeoutMs: number, request?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (answer: string | undefined): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('connect', () => {
      if (request === undefined) return finish('');
      socket.write(request);
    });
    socket.once('data', (data) => finish(data.toString('utf8')));
  });
}

/** True when something accepts TCP connections on localhost:port. */
export async function isPortInUse(port: number): Promise<boolean> {
  return (await tcpExchange('localhost', port, 1000)) !== undefined;
}
