// The OpenAPI 3.1 description of the management API, with request bodies from the zod schemas.
import { z } from 'zod';
import { eidQuery, mappingBody } from './schemas.js';

const eidParams = Object.keys(eidQuery.shape).map((name) => ({ name, in: 'query', required: name === 'eid', schema: { type: name === 'eid' ? 'string' : 'integer' } }));
const ok = (description: string) => ({ 200: { description, content: { 'application/json': {} } } });
const done = { 204: { description: 'done' }, 400: { description: 'invalid request (ERR_LISP_INVALID)' }, 409: { description: 'the node lacks the role (ERR_LISP_ROLE)' } };
const body = { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Mapping' } } } };
const removed = { ...done, 404: { description: 'no such entry (ERR_LISP_NOT_FOUND)' } };

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Loci management API', version: '1' },
    paths: {
      '/v1/status': { get: { summary: 'node name, roles, addresses and table sizes', responses: ok('status') } },
      '/v1/counters': { get: { summary: 'every counter of the node', responses: ok('counters by name') } },
      '/v1/mapping': { get: { summary: 'what the node knows of an EID: database, map-cache, registration', parameters: eidParams, responses: ok('mappings') } },
      '/v1/database': {
        get: { summary: 'the local database (our EID-prefixes)', responses: ok('database entries') },
        put: { summary: 'add or replace a database entry (registered at once)', requestBody: body, responses: done },
        delete: { summary: 'delete a database entry', parameters: eidParams, responses: removed },
      },
      '/v1/map-cache': {
        get: { summary: 'the map-cache', responses: ok('map-cache entries') },
        put: { summary: 'add or replace a static map-cache entry', requestBody: body, responses: done },
        delete: { summary: 'delete a map-cache entry', parameters: eidParams, responses: removed },
      },
      '/v1/sites': { get: { summary: "the Map-Server's sites", responses: ok('sites') } },
      '/v1/registrations': { get: { summary: "the Map-Server's registrations, per ETR", responses: ok('registrations') } },
      '/v1/openapi.json': { get: { summary: 'this document', responses: ok('OpenAPI document') } },
    },
    components: { schemas: { Mapping: z.toJSONSchema(mappingBody, { io: 'input' }) } },
  };
}
