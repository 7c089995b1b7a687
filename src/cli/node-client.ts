// How a command finds the node it talks to: --socket PATH, or --node NAME for the default socket.
import type { Command } from 'commander';
import { defaultSocket, LociClient } from '../client/client.js';
import { LispError } from '../packet/index.js';

export interface NodeOptions {
  node?: string;
  socket?: string;
}

export const withNodeOptions = (c: Command): Command =>
  c.option('-n, --node <name>', 'node name (its API socket is /run/loci/NAME.sock)').option('--socket <path>', "path of the node's API socket");

export function clientFor(o: NodeOptions): LociClient {
  if (o.socket) return new LociClient(o.socket);
  if (o.node) return new LociClient(defaultSocket(o.node));
  throw new LispError('ERR_LISP_INVALID', 'say which node: --node NAME or --socket PATH');
}
