// An in-memory Network for tests: datagrams go from socket to socket through a queue,
// in order, asynchronously (as on a real network). Addresses can be taken down to
// test failover, and every datagram is recorded.
import type { ControlSocket, DatagramHandler, Endpoint, Network } from '../../core/ports.js';

const key = (e: Endpoint) => `${e.address}|${e.port}`;

export interface SentDatagram {
  from: Endpoint;
  to: Endpoint;
  data: Buffer;
  delivered: boolean;
}

export class MemoryNetwork implements Network {
  private readonly sockets = new Map<string, { socket: ControlSocket; handler: DatagramHandler }>();
  private readonly down = new Set<string>();
  private nextPort = 49152;
  /** Every datagram sent, delivered or not. */
  readonly log: SentDatagram[] = [];

  async bind(local: Endpoint, onDatagram: DatagramHandler): Promise<ControlSocket> {
    const bound = { address: local.address, port: local.port || this.nextPort++ };
    if (this.sockets.has(key(bound))) throw new Error(`address in use: ${bound.address}:${bound.port}`);
    const socket: ControlSocket = {
      local: bound,
      send: async (data, to) => this.deliver(bound, to, Buffer.from(data)),
      close: async () => {
        this.sockets.delete(key(bound));
      },
    };
    this.sockets.set(key(bound), { socket, handler: onDatagram });
    return socket;
  }

  /** Datagrams to or from this address are lost until setUp(). */
  setDown(address: string): void {
    this.down.add(address);
  }

  setUp(address: string): void {
    this.down.delete(address);
  }

  private deliver(from: Endpoint, to: Endpoint, data: Buffer): void {
    const target = this.sockets.get(key(to));
    const delivered = target !== undefined && !this.down.has(to.address) && !this.down.has(from.address);
    this.log.push({ from, to, data, delivered });
    if (delivered) setImmediate(() => target.handler(data, from, target.socket));
  }
}
