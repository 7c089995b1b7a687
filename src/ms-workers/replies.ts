// The proxy Map-Replies the workers send: encoded once per registered prefix by the main thread
// (with nonce 0, again whenever the prefix's registrations change) and copied with the request's
// nonce by a worker (packet/map-request-view.ts), as encoding one costs some 7 µs and patching the nonce almost nothing.
import { encodeMessage } from '../packet/index.js';
import { mapReply } from '../core/wire-mapping.js';
import { proxyReplyRecords, wantsProxyReply, type Registration } from '../core/roles/map-server.js';

/** The proxy reply for a Map-Request resolving to registrations, nonce 0; null when it gets none or it cannot be encoded. */
export function proxyReplyTemplate(registrations: readonly Registration[]): Buffer | null {
  if (!wantsProxyReply(registrations)) return null;
  try {
    return encodeMessage(mapReply(0n, proxyReplyRecords(registrations)));
  } catch {
    return null; // e.g. more than 255 records: the main thread answers (and counts the failure)
  }
}

