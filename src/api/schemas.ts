// The management API's request bodies, declared once (zod); the OpenAPI document and the
// request validation both come from them. Response shapes are the core's views.
import { isIP } from 'node:net';
import { z } from 'zod';

export type { LocatorView, MappingView, RegistrationView, StatusView } from '../core/operations.js';

const byte = z.number().int().min(0).max(255);

export const locatorBody = z.strictObject({
  address: z.string().refine((a) => isIP(a) !== 0, { error: 'expected an IPv4 or IPv6 address' }),
  priority: byte.default(1),
  weight: byte.default(100),
});

/** A database or map-cache entry: an EID-prefix, its instance-id and its RLOCs. */
export const mappingBody = z.strictObject({
  'eid-prefix': z.string(),
  'instance-id': z.number().int().min(0).max(0xffffff).default(0),
  rlocs: z.array(locatorBody).min(1),
});

export type MappingBody = z.input<typeof mappingBody>;

/** Query parameters naming an EID or an EID-prefix. */
export const eidQuery = z.strictObject({
  eid: z.string(),
  'instance-id': z.coerce.number().int().min(0).max(0xffffff).default(0),
});

export interface ApiErrorBody {
  error: { code: string; message: string };
}
