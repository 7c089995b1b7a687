// The ms-workers key: schema, default, and the workers a node gets from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { ConfigError, parseConfig } from '../../../src/config/index.js';
import { msWorkersOf } from '../../../src/daemon/node-options.js';

const MS = 'name: ms\nroles: [ms, mr]\nlisten: [192.0.2.10]\nsites:\n  - { name: a, key: k, eid-prefixes: [198.18.1.0/24] }\n';
const parse = (extra: string, base = MS) => parseConfig(base + extra, 'ms.yaml');

test('ms-workers is auto by default, or an integer 0..64', () => {
  assert.equal(parse('').msWorkers, 'auto');
  assert.equal(parse('ms-workers: 0\n').msWorkers, 0);
  assert.equal(parse('ms-workers: 64\n').msWorkers, 64);
  for (const [value, message] of [
    ['65', 'ms-workers: expected an integer 0..64, got 65'],
    ['1.5', 'ms-workers: expected an integer 0..64, got 1.5'],
    ['all', 'ms-workers: expected auto or an integer 0..64, got "all"'],
  ] as const) {
    assert.throws(() => parse(`ms-workers: ${value}\n`), (e: unknown) => e instanceof ConfigError && e.problems[0]!.message === message.slice('ms-workers: '.length));
  }
});

test('the workers a node gets: none without ms or with 0; auto is one per CPU (up to 8), none on one CPU', () => {
  assert.deepEqual(msWorkersOf(parse('ms-workers: 3\n'), { port: 4400 }), { count: 3, listen: ['192.0.2.10'], port: 4400, answerMapRequests: true, fastPath: true });
  assert.equal(msWorkersOf(parse('ms-workers: 0\n'), {}), undefined);
  // auto, for machines of 1 to 64 CPUs (the docs' table: none on one CPU, one per CPU, at most 8).
  assert.deepEqual(
    [1, 2, 3, 4, 8, 9, 16, 64].map((cpus) => [cpus, msWorkersOf(parse(''), { cpus })?.count]),
    [[1, undefined], [2, 2], [3, 3], [4, 4], [8, 8], [9, 8], [16, 8], [64, 8]],
  );
  // Without cpus: this machine's CPU count.
  assert.deepEqual(msWorkersOf(parse(''), {}), msWorkersOf(parse(''), { cpus: availableParallelism() }));
  assert.equal(msWorkersOf(parse('ms-workers: 3\n'), { cpus: 1 })?.count, 3, 'an explicit count holds on any machine');
  const xtr = 'name: x\nroles: [itr]\nlisten: [192.0.2.10]\nmap-resolvers: [192.0.2.1]\nms-workers: 4\n';
  assert.equal(msWorkersOf(parse('', xtr), {}), undefined);
  // An ETR on the node answers for its own EIDs first: the workers leave Map-Requests to it.
  const msEtr = MS.replace('[ms, mr]', '[ms, etr]') + 'map-servers: [{ address: 192.0.2.10, key: k }]\ndatabase: [{ eid-prefix: 198.18.1.0/24, rlocs: [{ address: 192.0.2.10 }] }]\n';
  assert.equal(msWorkersOf(parse('ms-workers: 2\n', msEtr), {})?.answerMapRequests, false);
  // At debug level the node logs every packet, so every packet goes to it.
  assert.equal(msWorkersOf(parse('ms-workers: 2\nlog-level: debug\n'), {})?.fastPath, false);
});
