// How a command finds the node it talks to: --socket PATH, or --node NAME for the default socket
// (commands.ts declares them).
import { defaultSocket, LociClient } from '../client/client.js';
import { LispError } from '../packet/errors.js';

export interface NodeOptions {
  node?: string;
  socket?: string;
}

export function clientFor(o: NodeOptions): LociClient {
  if (o.socket) return new LociClient(o.socket);
  if (o.node) return new LociClient(defaultSocket(o.node));
  throw new LispError('ERR_LISP_INVALID', 'say which node: --node NAME or --socket PATH');
}
