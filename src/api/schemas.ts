// The management API's request bodies, declared once (zod); the OpenAPI document and the
// request validation both come from them. Response shapes are the core's views.
import { z } from 'zod';
import { rlocProblem } from '../packet/index.js';

export type { LocatorView, MappingView, RegistrationView, StatusView } from '../core/operations.js';

const byte = z.number().int().min(0).max(255);

/** A record carries at most 255 locators (an 8-bit count). */
export const MAX_LOCATORS = 255;

export const locatorBody = z.strictObject({
  address: z.string().superRefine((a, ctx) => {
    const why = rlocProblem(a);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  }),
  priority: byte.default(1),
  weight: byte.default(100),
});

/** A database or map-cache entry: an EID-prefix, its instance-id and its RLOCs. */
export const mappingBody = z.strictObject({
  'eid-prefix': z.string().regex(/^[^/]+\/\d{1,3}$/, { error: 'expected an EID-prefix with its length, such as 198.18.1.0/24' }),
  'instance-id': z.number().int().min(0).max(0xffffff).default(0),
  rlocs: z.array(locatorBody).min(1).max(MAX_LOCATORS, { error: `at most ${MAX_LOCATORS} RLOCs (the record's locator count is 8 bits)` }),
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
