// Network over node:dgram: one UDP socket per bound address, IPv4 or IPv6 by the address. A socket
// that cannot be bound, or a remote the host has no route to, is a one-line LispError
// ERR_LISP_SYSTEM naming the call, the address and the errno.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ControlSocket, DatagramHandler, Endpoint, Network } from '../core/ports.js';
import { LispError } from '../packet/errors.js';

const failed = (call: string, address: string, port: number, e: Error) =>
  new LispError('ERR_LISP_SYSTEM', `${call} (UDP ${isIPv6(address) ? `[${address}]` : address}:${port}) failed: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { cause: e });

class UdpSocket implements ControlSocket {
  constructor(
    private readonly socket: Socket,
    readonly local: Endpoint,
  ) {}

  send(data: Buffer, to: Endpoint): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(data, to.port, to.address, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export const udpNetwork: Network = {
  bind(local: Endpoint, onDatagram: DatagramHandler): Promise<ControlSocket> {
    const socket = createSocket({ type: isIPv6(local.address) ? 'udp6' : 'udp4', ipv6Only: isIPv6(local.address) });
    return new Promise((resolve, reject) => {
      const refused = (e: Error) => reject(failed('bind', local.address, local.port, e));
      socket.once('error', refused);
      socket.bind(local.port, local.address, () => {
        socket.off('error', refused);
        const bound = new UdpSocket(socket, { address: local.address, port: socket.address().port });
        // Errors after bind (e.g. ICMP port unreachable surfacing on Linux) must not crash a node.
        socket.on('error', () => {});
        socket.on('message', (msg, rinfo) => onDatagram(msg, { address: rinfo.address, port: rinfo.port }, bound));
        resolve(bound);
      });
    });
  },
  sourceFor: (remote) => sourceAddressFor(remote),
};

/** The local address the kernel would send from to reach remote (a connected UDP socket; nothing is sent). */
export function sourceAddressFor(remote: string): Promise<string> {
  const socket = createSocket(isIPv6(remote) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(failed('connect', remote, 9, err));
    });
    socket.connect(9, remote, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
