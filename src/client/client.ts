// The typed client of the management API, over the node's Unix socket (node:http).
// The CLI and the tests use it; an error answer becomes a LispError with its code.
import { request } from 'node:http';
import type { ApiErrorBody, MappingBody, MappingView, RegistrationView, StatusView } from '../api/schemas.js';
import { LispError, LISP_ERROR_CODES, type LispErrorCode } from '../packet/index.js';

export type { MappingBody, MappingView, RegistrationView, StatusView };

/** The API socket of a node started with its default path. */
export const defaultSocket = (node: string): string => `/run/loci/${node}.sock`;

export class LociClient {
  constructor(readonly socketPath: string) {}

  status = () => this.call<StatusView>('GET', '/v1/status');
  counters = () => this.call<Record<string, number>>('GET', '/v1/counters');
  lookup = (eid: string, instanceId = 0) => this.call<MappingView[]>('GET', `/v1/mapping?${query(eid, instanceId)}`);
  database = () => this.call<MappingView[]>('GET', '/v1/database');
  setDatabaseEntry = (e: MappingBody) => this.call<void>('PUT', '/v1/database', e);
  deleteDatabaseEntry = (prefix: string, instanceId = 0) => this.call<void>('DELETE', `/v1/database?${query(prefix, instanceId)}`);
  mapCache = () => this.call<MappingView[]>('GET', '/v1/map-cache');
  setMapCacheEntry = (e: MappingBody) => this.call<void>('PUT', '/v1/map-cache', e);
  deleteMapCacheEntry = (prefix: string, instanceId = 0) => this.call<void>('DELETE', `/v1/map-cache?${query(prefix, instanceId)}`);
  sites = () => this.call<unknown[]>('GET', '/v1/sites');
  registrations = () => this.call<RegistrationView[]>('GET', '/v1/registrations');

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        { socketPath: this.socketPath, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) < 300) return resolve((text ? JSON.parse(text) : undefined) as T);
            const err = (text ? (JSON.parse(text) as ApiErrorBody) : undefined)?.error;
            const code = LISP_ERROR_CODES.includes(err?.code as LispErrorCode) ? (err!.code as LispErrorCode) : 'ERR_LISP_INTERNAL';
            reject(new LispError(code, err?.message ?? `HTTP ${res.statusCode}`));
          });
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) =>
        reject(new LispError('ERR_LISP_NOT_FOUND', `cannot reach the node's API at ${this.socketPath}: ${e.code ?? e.message}`)),
      );
      req.end(data);
    });
  }
}

const query = (eid: string, instanceId: number) => new URLSearchParams({ eid, 'instance-id': String(instanceId) }).toString();
