/** The layering rule of DESIGN.md: packet <- table <- core <- {dataplane, ms-workers, api, config} <- daemon.
 *  io reaches core only as interfaces (core/ports); the CLI talks to a daemon only through client.
 *  lab (network namespaces, the demo topology) is a test and demo harness: it uses nothing of Loci,
 *  and in src only `loci demo` (cli/demo) uses it. */
const layer = (name, mayNotUse, comment, except) => ({
  name: `${name}-layering`,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${mayNotUse.join('|')})/`, ...(except ? { pathNot: except } : {}) },
});

module.exports = {
  forbidden: [
    layer('packet', ['table', 'core', 'io', 'dataplane', 'ms-workers', 'api', 'config', 'daemon', 'cli', 'client', 'capture', 'lab'],
      'packet holds pure codecs and depends on nothing else in Loci'),
    layer('capture', ['table', 'core', 'io', 'dataplane', 'ms-workers', 'api', 'config', 'daemon', 'cli', 'client', 'lab'],
      'capture reads capture files; it may use packet only'),
    layer('table', ['core', 'io', 'dataplane', 'ms-workers', 'api', 'config', 'daemon', 'cli', 'client', 'capture', 'lab'],
      'table may use packet only'),
    layer('core', ['io', 'dataplane', 'ms-workers', 'api', 'config', 'daemon', 'cli', 'client', 'capture', 'lab'],
      'core sees io only through its own interfaces'),
    layer('io', ['table', 'dataplane', 'ms-workers', 'api', 'config', 'daemon', 'cli', 'client', 'lab'],
      'io implements interfaces; it must not reach into the tables or upper layers'),
    layer('dataplane', ['ms-workers', 'api', 'config', 'daemon', 'cli', 'client', 'lab'], 'dataplane sits beside ms-workers, api and config'),
    layer('ms-workers', ['dataplane', 'api', 'config', 'daemon', 'cli', 'client', 'capture', 'lab'],
      'the Map-Server workers sit beside dataplane, api and config'),
    layer('api', ['dataplane', 'ms-workers', 'config', 'daemon', 'cli', 'client', 'lab'], 'api sits beside dataplane and config'),
    layer('config', ['dataplane', 'ms-workers', 'api', 'daemon', 'cli', 'client', 'lab'], 'config sits beside dataplane and api'),
    layer('client', ['table', 'core', 'io', 'dataplane', 'ms-workers', 'config', 'daemon', 'cli', 'capture', 'lab'],
      'client speaks the API only (it may share api schemas and packet types)'),
    layer('cli', ['table', 'core', 'dataplane', 'ms-workers', 'api', 'config'],
      'the CLI talks to a running daemon only through client; packet and capture print, io (with its interfaces in core/ports) carries the tools that speak LISP (lig, rig)',
      '^src/core/ports[.]ts$'),
    layer('lab', ['packet', 'capture', 'table', 'core', 'io', 'dataplane', 'ms-workers', 'api', 'config', 'daemon', 'cli', 'client'],
      'lab is a harness for tests and the demo: it depends on nothing in Loci'),
    {
      name: 'lab-users',
      comment: 'in src only `loci demo` (cli/demo) uses the lab; tests and benches may',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(lab|cli/demo)/' },
      to: { path: '^src/lab/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
