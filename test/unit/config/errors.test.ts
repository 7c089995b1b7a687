import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LispError } from '../../../src/packet/errors.js';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/index.js';
import { linesOf, problemsOf } from './problems.js';

// Each class of mistake, with the exact problem reported: "line:column: key path: message".

const XTR = (mapServer: string, database = '198.18.1.0/24') => `name: site-a
roles: [itr, etr]
listen: [198.51.100.10]
map-resolvers: [192.0.2.10]
map-servers:
${mapServer}
database:
  - eid-prefix: ${database}
    rlocs:
      - { address: 198.51.100.10, priority: 1, weight: 100 }
`;

test('unknown key, placed at the key, with the keys that mapping accepts', () => {
  assert.deepEqual(linesOf(XTR('  - address: 192.0.2.10\n    key: k\n    algoritm: sha1')), [
    '8:5: map-servers[0].algoritm: unknown key "algoritm"; expected one of: address, key-id, key, algorithm, truncated-hmac, eid-prefixes, proxy-reply, want-map-notify',
  ]);
});

test('unknown top-level key', () => {
  assert.deepEqual(linesOf('name: a\nroles: [itr]\nlisten: [192.0.2.1]\nmap-resolvers: [192.0.2.10]\nresolvers: []\n'), [
    '5:1: resolvers: unknown key "resolvers"; expected one of: name, roles, listen, map-resolvers, map-servers, database, sites, resolve-via, ddt, api, log-level, log-hex, register-interval, xtr-id, site-id, rloc-probing, record-ttl, map-cache, negative-ttl, data-plane, ms-workers',
  ]);
});

test('bad prefix: length out of the family range', () => {
  const text = `name: ms
roles: [ms]
listen: [192.0.2.10]
sites:
  - name: site-a
    key: site-a-secret
    eid-prefixes:
      - { eid-prefix: 198.18.1.0/24, accept-more-specifics: true }
      - { eid-prefix: 198.18.1.0/33 }
      - 2001:db8::/129
      - 198.18.1.0
`;
  assert.deepEqual(linesOf(text), [
    '9:23: sites[0].eid-prefixes[1].eid-prefix: "198.18.1.0/33" is not a prefix: IPv4 length must be 0..32',
    '10:9: sites[0].eid-prefixes[2]: "2001:db8::/129" is not a prefix: IPv6 length must be 0..128',
    '11:9: sites[0].eid-prefixes[3]: "198.18.1.0" is not a prefix: expected address/length, such as 198.18.1.0/24',
  ]);
});

test('the message of a ConfigError lists each problem as file:line:column: path: message', () => {
  const text = 'name: ms\nroles: [ms]\nlisten: [192.0.2.10]\nsites:\n  - name: site-a\n    key: s\n    eid-prefixes:\n      - { eid-prefix: 198.18.1.0/33 }\n';
  assert.throws(() => parseConfig(text, 'site-a.yaml'), {
    name: 'ConfigError',
    code: 'ERR_LISP_CONFIG',
    message: 'invalid config site-a.yaml (1 problem):\n  site-a.yaml:8:23: sites[0].eid-prefixes[0].eid-prefix: "198.18.1.0/33" is not a prefix: IPv4 length must be 0..32',
  });
});

test('prefix with host bits set says which prefix was meant', () => {
  assert.deepEqual(linesOf(XTR('  - { address: 192.0.2.10, key: k }', '198.18.1.1/24')), [
    '8:17: database[0].eid-prefix: "198.18.1.1/24" has host bits set; host bits must be zero, as in 198.18.1.0/24',
  ]);
});

test('missing key for a Map-Server, placed at the Map-Server', () => {
  assert.deepEqual(linesOf(XTR('  - address: 192.0.2.10\n    algorithm: sha256')), [
    '6:5: map-servers[0].key: missing; expected a non-empty string (the shared secret)',
  ]);
  assert.deepEqual(linesOf(XTR('  - { address: 192.0.2.10, key: "" }')), [
    '6:33: map-servers[0].key: expected a non-empty string (the shared secret), got ""',
  ]);
});

test('a site needs key or keys, not both', () => {
  const site = (keys: string) => `name: ms\nroles: [ms]\nlisten: [192.0.2.10]\nsites:\n  - name: a\n${keys}    eid-prefixes: [198.18.1.0/24]\n`;
  assert.deepEqual(linesOf(site('')), ['5:5: sites[0].key: missing; expected key (or keys, a list of keys with key-id)']);
  assert.deepEqual(linesOf(site('    key: k\n    keys: [{ key: j }]\n')), ['6:10: sites[0].key: not allowed with keys: give key, key-id and algorithm in each entry of keys']);
});

test('a site key gives algorithm or algorithms, not both, and not an empty list', () => {
  const site = (keys: string) => `name: ms\nroles: [ms]\nlisten: [192.0.2.10]\nsites:\n  - name: a\n${keys}    eid-prefixes: [198.18.1.0/24]\n`;
  assert.deepEqual(linesOf(site('    key: k\n    algorithm: sha1\n    algorithms: [sha256]\n')), ['7:16: sites[0].algorithm: not allowed with algorithms: give one or the other']);
  assert.deepEqual(linesOf(site('    keys: [{ key: k, algorithm: sha1, algorithms: [sha1] }]\n')), ['6:33: sites[0].keys[0].algorithm: not allowed with algorithms: give one or the other']);
  assert.deepEqual(linesOf(site('    key: k\n    algorithms: []\n')), ['7:17: sites[0].algorithms: expected at least one algorithm']);
  assert.deepEqual(linesOf(site('    key: k\n    algorithms: [md5]\n')), ['7:18: sites[0].algorithms[0]: expected one of sha1, sha256, got "md5"']);
});

test('bad address', () => {
  assert.deepEqual(linesOf(XTR('  - { address: 192.0.2.300, key: k }')), [
    '6:16: map-servers[0].address: "192.0.2.300" is not an IPv4 or IPv6 address',
  ]);
  assert.deepEqual(linesOf(XTR('  - { address: "fe80::1%eth0", key: k }')), [
    '6:16: map-servers[0].address: "fe80::1%eth0" is not an IPv4 or IPv6 address',
  ]);
});

test('out-of-range priority, instance-id and key-id', () => {
  const text = XTR('  - { address: 192.0.2.10, key: k, key-id: 256 }').replace('priority: 1', 'priority: 300').replace('    rlocs:', '    instance-id: 16777216\n    rlocs:');
  assert.deepEqual(linesOf(text), [
    '6:44: map-servers[0].key-id: expected an integer 0..255, got 256',
    '9:18: database[0].instance-id: expected an integer 0..16777215, got 16777216',
    '11:45: database[0].rlocs[0].priority: expected an integer 0..255, got 300',
  ]);
});

test('wrong type: a scalar for a list, a string for a number, a list for a mapping', () => {
  const text = `name: a
roles: itr
listen: [192.0.2.1]
map-resolvers: [192.0.2.10]
register-interval: "60"
api: [/run/a.sock]
`;
  assert.deepEqual(linesOf(text), [
    '2:8: roles: expected a list, got "itr"',
    '5:20: register-interval: expected an integer 1..86400, got "60"',
    '6:6: api: expected a mapping, got a list',
  ]);
});

test('wrong value: an unknown role, algorithm or log level', () => {
  const text = XTR('  - { address: 192.0.2.10, key: k, algorithm: md5 }').replace('[itr, etr]', '[itr, etr, rtr]') + 'log-level: verbose\n';
  assert.deepEqual(linesOf(text), [
    '2:19: roles[2]: expected one of itr, etr, ms, mr, ddt-node, ddt-ms, ddt-mr, got "rtr"',
    '6:47: map-servers[0].algorithm: expected one of sha1, sha256, got "md5"',
    '11:12: log-level: expected one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
  ]);
});

test('YAML syntax errors carry line and column', () => {
  assert.deepEqual(problemsOf('name: a\nroles: [itr, etr\nlisten: [192.0.2.1]\n'), [
    {
      file: 'site-a.yaml',
      path: '',
      line: 3,
      column: 1,
      message: 'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    },
  ]);
  assert.deepEqual(linesOf('name: a\nname: b\n'), ['2:1: : YAML syntax: Map keys must be unique']);
  assert.deepEqual(linesOf('name: "a\nroles: [itr]\n'), ['3:1: : YAML syntax: Missing closing "quote']);
});

test('an empty file is not a config', () => {
  assert.deepEqual(linesOf(''), ['1:1: : expected a mapping, got an empty value']);
});

test('role requirements are checked across the file, at the role that needs them', () => {
  const text = 'name: a\nroles: [itr, etr, ms]\nlisten: [192.0.2.1]\n';
  assert.deepEqual(linesOf(text), [
    '2:9: roles[0]: role itr needs at least one map-resolver in map-resolvers',
    '2:14: roles[1]: role etr needs at least one database entry in database',
    '2:14: roles[1]: role etr needs at least one map-server in map-servers',
    '2:19: roles[2]: role ms needs at least one site in sites',
  ]);
});

test('a clause no configured role uses, and mr without ms or resolve-via, are errors', () => {
  const text = 'name: a\nroles: [etr, mr]\nlisten: [192.0.2.1]\nmap-resolvers: [192.0.2.10]\nmap-servers: [{ address: 192.0.2.10, key: k }]\ndatabase: [{ eid-prefix: 198.18.1.0/24, rlocs: [{ address: 192.0.2.1 }] }]\n';
  assert.deepEqual(linesOf(text), [
    '2:14: roles[1]: role mr needs role ms on the same node or Map-Servers to forward to in resolve-via',
    '4:16: map-resolvers: only used by role itr; add the role to roles or remove map-resolvers',
  ]);
});

test('a Map-Server prefix outside the database', () => {
  const text = XTR('  - address: 192.0.2.10\n    key: k\n    eid-prefixes: [198.18.1.0/24, 198.18.0.0/16, { eid-prefix: 198.18.1.0/24, instance-id: 5 }]');
  assert.deepEqual(linesOf(text), [
    '8:35: map-servers[0].eid-prefixes[1]: 198.18.0.0/16 is not within any database eid-prefix',
    '8:50: map-servers[0].eid-prefixes[2]: [5]198.18.1.0/24 is not within any database eid-prefix',
  ]);
});

test('duplicates of what a reload diff keys on', () => {
  const text = `name: a
roles: [itr, etr, itr]
listen: [192.0.2.1, 192.0.2.1]
map-resolvers: [192.0.2.10]
map-servers: [{ address: 192.0.2.10, key: k }, { address: 192.0.2.10, key: j }]
database:
  - { eid-prefix: 198.18.1.0/24, rlocs: [{ address: 192.0.2.1 }] }
  - { eid-prefix: 198.18.1.0/24, instance-id: 0, rlocs: [{ address: 192.0.2.1 }] }
`;
  assert.deepEqual(linesOf(text), [
    '2:19: roles[2]: "itr" is listed twice',
    '3:21: listen[1]: 192.0.2.1 is listed twice (first at listen[0])',
    '5:59: map-servers[1].address: 192.0.2.10 is listed twice (first at map-servers[0].address)',
    '8:19: database[1].eid-prefix: 198.18.1.0/24 is listed twice (first at database[0].eid-prefix)',
  ]);
});

test('a Map-Server or Map-Resolver of a family no listen address has', () => {
  const text = XTR('  - { address: 2001:db8::10, key: k }').replace('[192.0.2.10]', '[2001:db8::11]');
  assert.deepEqual(linesOf(text), [
    '4:17: map-resolvers[0]: 2001:db8::11 is IPv6 but listen has no address of that family',
    '6:16: map-servers[0].address: 2001:db8::10 is IPv6 but listen has no address of that family',
  ]);
});

test('every problem of a pass is reported at once, in file order', () => {
  const text = `name: site/a
roles: [itr, etr]
listen: [198.51.100.10]
map-resolvers: [192.0.2.10]
map-servers:
  - address: 192.0.2.10
database:
  - eid-prefix: 198.18.1.0/24
    rlocs:
      - { address: 198.51.100.10, priority: -1, colour: red }
api: { socket: relative.sock }
`;
  const problems = problemsOf(text);
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.column}: ${p.path}`),
    ['1:7: name', '6:5: map-servers[0].key', '10:45: database[0].rlocs[0].priority', '10:49: database[0].rlocs[0].colour', '11:16: api.socket'],
  );
  assert.ok(problems.every((p) => p.file === 'site-a.yaml'));
});

test('ConfigError is a LispError; an unreadable file is one too', () => {
  assert.throws(() => loadConfig('/nonexistent/loci.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigError && e instanceof LispError);
    assert.equal(e.code, 'ERR_LISP_CONFIG');
    assert.equal(e.problems.length, 1);
    assert.match(e.message, /^invalid config \/nonexistent\/loci.yaml \(1 problem\):\n {2}\/nonexistent\/loci.yaml: cannot read the file: ENOENT/);
    return true;
  });
});

test('a prefix in two sites is refused (nested prefixes of two sites are fine); an RLOC that cannot go on the wire too', () => {
  const text = `name: ms
roles: [ms, mr]
listen: [192.0.2.10]
sites:
  - { name: a, key: k, eid-prefixes: [198.18.1.0/24, 198.18.2.0/24] }
  - { name: b, key: k, eid-prefixes: [198.18.0.0/16, 198.18.1.0/24] }
`;
  assert.deepEqual(linesOf(text), ['6:54: sites[1].eid-prefixes[1]: 198.18.1.0/24 is already a prefix of site a (a prefix belongs to one site; nested prefixes are fine)']);
  const rloc = XTR('  - { address: 192.0.2.10, key: k }').replace('{ address: 198.51.100.10, priority: 1, weight: 100 }', '{ address: fe80::1 }');
  assert.deepEqual(linesOf(rloc), ['10:20: database[0].rlocs[0].address: "fe80::1" is link-local: not usable as a locator']);
});

test('ddt: each list for its role, delegations inside the authority and with an address, ddt-ms beside ms and not beside ddt-node', () => {
  const config = (roles: string, ddt: string) => `name: d\nroles: [${roles}]\nlisten: [192.0.2.1]\nddt:\n${ddt}`;
  assert.deepEqual(linesOf(config('ddt-node, ddt-mr', '  delegations:\n    - { eid-prefix: 198.18.0.0/16, ddt-nodes: [192.0.2.2] }\n  map-server-peers: [192.0.2.3]\n')), [
    '2:9: roles[0]: role ddt-node needs at least one entry in ddt.authoritative-prefixes',
    '2:19: roles[1]: role ddt-mr needs at least one entry in ddt.roots',
    '6:21: ddt.delegations[0].eid-prefix: 198.18.0.0/16 is not within any ddt.authoritative-prefixes entry',
    '7:21: ddt.map-server-peers: only used by role ddt-ms; add the role to roles or remove ddt.map-server-peers',
  ]);
  assert.deepEqual(linesOf(config('ddt-node', '  authoritative-prefixes: [0.0.0.0/0]\n  delegations:\n    - { eid-prefix: 198.18.0.0/16 }\n')), [
    '7:7: ddt.delegations[0]: expected at least one address in ddt-nodes or map-servers',
  ]);
  assert.deepEqual(linesOf(config('ddt-node, ddt-ms', '  authoritative-prefixes: [0.0.0.0/0]\n')), [
    '2:19: roles[1]: role ddt-ms answers for the sites of role ms: add ms to roles',
    '2:19: roles[1]: a node is a DDT node or a DDT Map-Server, not both',
  ]);
});
