// The config file's grammar: one zod schema per clause, each declared once. Every mapping is strict,
// so an unknown key is an error. Knobs with a default stay optional here; defaults.ts fills them in.
// Three shorthands are expanded: a bare "198.18.1.0/24" in an eid-prefixes list, a site's single
// key/key-id/algorithm, which becomes its one-entry keys list, and a site key's single algorithm,
// which becomes its one-entry algorithms list.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { addressProblem, canonicalAddress, canonicalPrefix, prefixProblem } from './addresses.js';
import { expecting } from './messages.js';
import { AUTH_ALGORITHMS, rlocProblem, type AuthAlgorithm } from '../packet/index.js';

const ROLES = ['itr', 'etr', 'ms', 'mr', 'ddt-node', 'ddt-ms', 'ddt-mr'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Longest Unix socket path Linux accepts (sun_path holds 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

const integer = (min: number, max: number) => {
  const what = expecting(`an integer ${min}..${max}`);
  return z.number(what).refine((n) => Number.isInteger(n) && n >= min && n <= max, what);
};

/** A string that `problem` checks (wording its own message), stored in canonical form. */
const checkedText = (what: string, problem: (text: string) => string | undefined, canonical: (text: string) => string) =>
  z
    .string(expecting(what))
    .superRefine((text, ctx) => {
      const why = problem(text);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    })
    .transform(canonical);

const nonEmptyList = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1, { error: `expected at least one ${what}` });

const address = checkedText('an IPv4 or IPv6 address', addressProblem, canonicalAddress);
const eidPrefix = checkedText('an EID-prefix such as 198.18.1.0/24', prefixProblem, canonicalPrefix);
const instanceId = integer(0, 2 ** 24 - 1);
const byte = integer(0, 255);
const flag = z.boolean(expecting('true or false'));
const secretText = 'a non-empty string (the shared secret)';
const secret = z.string(expecting(secretText)).min(1, expecting(secretText));

const nodeNameText = 'a name of letters, digits, ".", "_" and "-" (at most 64, it names the API socket)';
const nodeName = z.string(expecting(nodeNameText)).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, expecting(nodeNameText));

const socketText = `an absolute path of at most ${MAX_SOCKET_PATH} bytes`;
const socketPath = z
  .string(expecting(socketText))
  .refine((p) => isAbsolute(p) && Buffer.byteLength(p) <= MAX_SOCKET_PATH, expecting(socketText));

const prefixFields = { 'eid-prefix': eidPrefix, 'instance-id': instanceId.optional() };
const prefixShorthand = (value: unknown) => (typeof value === 'string' ? { 'eid-prefix': value } : value);

const authKey = z.strictObject({
  'key-id': byte.optional(),
  key: secret,
  algorithm: z.enum(AUTH_ALGORITHMS).optional(),
  'truncated-hmac': flag.optional(),
});

const algorithmList = nonEmptyList(z.enum(AUTH_ALGORITHMS), 'algorithm');

type Algorithms = { algorithm?: AuthAlgorithm | undefined; algorithms?: AuthAlgorithm[] | undefined };
const bothAlgorithms = (k: Algorithms, ctx: z.RefinementCtx) => {
  if (k.algorithm !== undefined && k.algorithms !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['algorithm'], message: 'not allowed with algorithms: give one or the other' });
  }
};
/** A site key's algorithm shorthand as its algorithms list (undefined: the default, every algorithm). */
const algorithmsOf = ({ algorithm, algorithms }: Algorithms) => algorithms ?? (algorithm === undefined ? undefined : [algorithm]);

/** A key of a site: the algorithms it accepts (algorithm: one; algorithms: a list; every one when neither is given). */
const siteKey = z
  .strictObject({ ...authKey.shape, algorithms: algorithmList.optional() })
  .superRefine(bothAlgorithms)
  .transform(({ algorithm, algorithms, ...rest }) => ({ ...rest, algorithms: algorithmsOf({ algorithm, algorithms }) }));

const mapServer = z.strictObject({
  address,
  ...authKey.shape,
  'eid-prefixes': nonEmptyList(z.preprocess(prefixShorthand, z.strictObject(prefixFields)), 'EID-prefix').optional(),
  'proxy-reply': flag.optional(),
  'want-map-notify': flag.optional(),
});

const locator = checkedText('a unicast IPv4 or IPv6 address', rlocProblem, canonicalAddress);
const rloc = z.strictObject({ address: locator, priority: byte.optional(), weight: byte.optional() });

const databaseEntry = z.strictObject({ ...prefixFields, rlocs: nonEmptyList(rloc, 'RLOC').max(255, { error: 'expected at most 255 RLOCs (the record\'s locator count is 8 bits)' }) });

/** A Map-Server a stand-alone Map-Resolver forwards Map-Requests to, for the EID-prefixes it serves. */
const referral = z.strictObject({
  'map-server': address,
  'eid-prefixes': nonEmptyList(z.preprocess(prefixShorthand, z.strictObject(prefixFields)), 'EID-prefix'),
});

const sitePrefix = z.preprocess(
  prefixShorthand,
  z.strictObject({ ...prefixFields, 'accept-more-specifics': flag.optional() }),
);

const site = z
  .strictObject({
    name: z.string(expecting('a non-empty site name')).min(1, expecting('a non-empty site name')),
    ...authKey.partial().shape,
    algorithms: algorithmList.optional(),
    keys: nonEmptyList(siteKey, 'key').optional(),
    'eid-prefixes': nonEmptyList(sitePrefix, 'EID-prefix'),
    'check-nonce': z.union([flag, z.literal('auto')], expecting('true, false or auto')).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.keys === undefined && s.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'missing; expected key (or keys, a list of keys with key-id)' });
    } else if (s.keys !== undefined) {
      const message = 'not allowed with keys: give key, key-id and algorithm in each entry of keys';
      for (const field of ['key', 'key-id', 'algorithm', 'algorithms', 'truncated-hmac'] as const) {
        if (s[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message });
      }
    } else bothAlgorithms(s, ctx);
  })
  .transform(({ key, 'key-id': keyId, algorithm, algorithms, 'truncated-hmac': truncatedHmac, keys, ...rest }) => {
    const single: z.output<typeof siteKey> = { 'key-id': keyId, key: key!, algorithms: algorithmsOf({ algorithm, algorithms }), 'truncated-hmac': truncatedHmac };
    return { ...rest, keys: keys ?? [single] };
  });

/** A DDT node's delegation: an XEID-prefix and the child DDT nodes or DDT Map-Servers it goes to. */
const delegation = z
  .strictObject({ ...prefixFields, 'ddt-nodes': z.array(address).optional(), 'map-servers': z.array(address).optional() })
  .refine((d) => (d['ddt-nodes']?.length ?? 0) + (d['map-servers']?.length ?? 0) > 0, { error: 'expected at least one address in ddt-nodes or map-servers' });

/** LISP-DDT (docs/ddt.md): a DDT node's data, a DDT Map-Server's peers, a DDT Map-Resolver's roots and bounds. */
const ddt = z.strictObject({
  'authoritative-prefixes': nonEmptyList(z.preprocess(prefixShorthand, z.strictObject(prefixFields)), 'EID-prefix').optional(),
  delegations: z.array(delegation).optional(),
  'map-server-peers': z.array(address).optional(),
  roots: nonEmptyList(address, 'address').optional(),
  'request-timeout': z
    .number(expecting('seconds, 0.1..60'))
    .refine((n) => n >= 0.1 && n <= 60, expecting('seconds, 0.1..60'))
    .optional(),
  'referral-cache-size': integer(1, 10_000_000).optional(),
  'max-pending': integer(1, 1_000_000).optional(),
  'max-referrals': integer(1, 64).optional(),
});

const xtrIdText = 'an xTR-ID: 32 hex digits, in quotes';
const xtrId = z
  .string(expecting(xtrIdText))
  .regex(/^[0-9a-fA-F]{32}$/, expecting(xtrIdText))
  .transform((t) => t.toLowerCase());

const tunNameText = 'an interface name of at most 15 letters, digits, ".", "_" and "-"';
const tunName = z.string(expecting(tunNameText)).regex(/^[A-Za-z0-9._-]{1,15}$/, expecting(tunNameText));

/** The TUN data plane of an xTR (docs/dataplane.md). */
const dataPlane = z.strictObject({
  enabled: flag.optional(),
  tun: tunName.optional(),
  mode: z.enum(['router', 'host'], expecting('router or host')).optional(),
  'instance-id': instanceId.optional(),
  'underlay-mtu': integer(1280, 9216).optional(),
  mtu: integer(576, 9216).optional(),
  'eid-addresses': z.array(address).optional(),
  petrs: z.array(address).optional(),
  routes: flag.optional(),
  'route-table': integer(1, 2 ** 31 - 1).optional(),
  'rule-priority': integer(1, 32_000).optional(),
  offload: flag.optional(),
  'decapsulate-for': z.enum(['own-eids', 'any'], expecting('own-eids or any')).optional(),
});

export const configSchema = z.strictObject({
  name: nodeName,
  roles: nonEmptyList(z.enum(ROLES), 'role'),
  listen: nonEmptyList(address, 'address'),
  'map-resolvers': z.array(address).optional(),
  'map-servers': z.array(mapServer).optional(),
  database: z.array(databaseEntry).optional(),
  sites: z.array(site).optional(),
  'resolve-via': z.array(referral).optional(),
  ddt: ddt.optional(),
  api: z.strictObject({ socket: socketPath.optional() }).optional(),
  'log-level': z.enum(LOG_LEVELS).optional(),
  'log-hex': flag.optional(),
  'register-interval': integer(1, 86_400).optional(),
  'xtr-id': xtrId.optional(),
  'site-id': integer(0, Number.MAX_SAFE_INTEGER).optional(),
  'rloc-probing': z
    .number(expecting('seconds, 0 (off) or 0.1..3600'))
    .refine((n) => n === 0 || (n >= 0.1 && n <= 3600), expecting('seconds, 0 (off) or 0.1..3600'))
    .optional(),
  'record-ttl': integer(1, 525_600).optional(),
  'map-cache': z.strictObject({ size: integer(1, 10_000_000).optional() }).optional(),
  'negative-ttl': z
    .strictObject({ 'outside-sites': integer(1, 1440).optional(), unregistered: integer(1, 1440).optional() })
    .optional(),
  'data-plane': dataPlane.optional(),
  'ms-workers': z.union([z.literal('auto'), integer(0, 64)], expecting('auto or an integer 0..64')).optional(),
});

/** The file as the schema reads it: kebab-case keys, shorthands expanded, knobs still optional. */
export type FileConfig = z.output<typeof configSchema>;
