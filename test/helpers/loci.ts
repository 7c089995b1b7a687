// The `loci` command as the tests run it: bin/loci.js, forced onto the TypeScript sources
// (LOCI_FROM_SOURCES=1) even when a dist/ from an earlier build exists, so a test that spawns
// loci, and the daemons `loci demo` starts, run the code under test. Importing this module sets
// the variable for every process this test file spawns (scripts/run-tests.mjs sets it too).
import { fileURLToPath } from 'node:url';

process.env.LOCI_FROM_SOURCES = '1';

export const LOCI_BIN = fileURLToPath(new URL('../../bin/loci.js', import.meta.url));
