// The management API (the heir of OpenLISP's MAPM_ADD / MAPM_DELETE / MAPM_GET): HTTP/JSON
// on the node's Unix socket, every route a call of the core operations. Errors carry their
// ERR_LISP_* code with 400 (invalid), 404 (not found) or 409 (role) - never 200.
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Operations } from '../core/operations.js';
import { LispError } from '../packet/index.js';
import { parsePrefix, type EidPrefix } from '../table/index.js';
import { eidQuery, mappingBody, type ApiErrorBody } from './schemas.js';
import { openApiDocument } from './openapi.js';

const STATUS: Partial<Record<string, number>> = { ERR_LISP_INVALID: 400, ERR_LISP_NOT_FOUND: 404, ERR_LISP_ROLE: 409 };

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new LispError('ERR_LISP_INVALID', z.prettifyError(r.error));
  return r.data;
}

function prefix(text: string, iid: number): EidPrefix {
  try {
    return parsePrefix(iid === 0 ? text : `[${iid}]${text}`);
  } catch (e) {
    throw new LispError('ERR_LISP_INVALID', e instanceof Error ? e.message : String(e));
  }
}

export function buildApi(ops: Operations): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler((err: unknown, _req, reply) => {
    // Fastify's own request errors (bad JSON, wrong content type) keep their 4xx status.
    const given = (err as { statusCode?: number }).statusCode;
    const status = err instanceof LispError ? (STATUS[err.code] ?? 500) : given && given < 500 ? given : 500;
    const code = err instanceof LispError ? err.code : status < 500 ? 'ERR_LISP_INVALID' : 'ERR_LISP_INTERNAL';
    const body: ApiErrorBody = { error: { code, message: err instanceof Error ? err.message : String(err) } };
    void reply.status(status).send(body);
  });
  const eid = (q: unknown) => {
    const x = parse(eidQuery, q);
    return prefix(x.eid, x['instance-id']);
  };
  const entry = (b: unknown) => {
    const x = parse(mappingBody, b);
    return { prefix: prefix(x['eid-prefix'], x['instance-id']), rlocs: x.rlocs };
  };

  app.get('/v1/status', async () => ops.status());
  app.get('/v1/counters', async () => ops.counters());
  app.get('/v1/mapping', async (req) => ops.lookup(eid(req.query)));
  app.get('/v1/database', async () => ops.database());
  app.put('/v1/database', async (req, reply) => {
    const e = entry(req.body);
    await ops.setDatabaseEntry(e.prefix, e.rlocs);
    return reply.status(204).send();
  });
  app.delete('/v1/database', async (req, reply) => {
    await ops.deleteDatabaseEntry(eid(req.query));
    return reply.status(204).send();
  });
  app.get('/v1/map-cache', async () => ops.mapCache());
  app.put('/v1/map-cache', async (req, reply) => {
    const e = entry(req.body);
    await ops.setMapCacheEntry(e.prefix, e.rlocs);
    return reply.status(204).send();
  });
  app.delete('/v1/map-cache', async (req, reply) => {
    await ops.deleteMapCacheEntry(eid(req.query));
    return reply.status(204).send();
  });
  app.get('/v1/sites', async () => ops.sites());
  app.get('/v1/registrations', async () => ops.registrations());
  app.get('/v1/openapi.json', async () => openApiDocument());
  return app;
}

/**
 * Serves the API on a Unix socket, mode 0600 whatever the umask (its directory, when created, 0750);
 * returns the server to close. A socket file left by a node that is gone is replaced; a live one (a
 * node of the same name is running) or a file that is not a socket is refused with ERR_LISP_IN_USE.
 */
export async function serveApi(ops: Operations, socketPath: string): Promise<FastifyInstance> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o750 });
  await removeStaleSocket(socketPath);
  const app = buildApi(ops);
  // The socket is created 0600 (umask 0177 while it is bound), so nobody else can connect in between.
  const umask = process.umask(0o177);
  try {
    await app.listen({ path: socketPath });
  } finally {
    process.umask(umask);
  }
  chmodSync(socketPath, 0o600);
  return app;
}

/** Throws ERR_LISP_IN_USE when a live node serves path or path is not a socket; removes a stale socket. */
export async function removeStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new LispError('ERR_LISP_IN_USE', `${path} exists and is not a socket: not replacing it`);
  const live = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (live) throw new LispError('ERR_LISP_IN_USE', `another node is serving its API on ${path}: not starting a second one with the same name or socket`);
  rmSync(path, { force: true });
}
