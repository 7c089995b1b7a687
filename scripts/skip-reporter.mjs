// A node:test reporter that writes one JSON line per skipped or todo test (name, file, reason),
// so the runner can refuse a CI run in which anything was skipped.
export default async function* skipReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (d.skip === undefined && d.todo === undefined) continue;
    // Filtered out by --test-name-pattern or --test-only: not a skip of the test's own.
    if (d.skip === 'test name does not match pattern' || d.skip === "'only' option not set") continue;
    if (d.details?.type === 'suite' && d.skip === undefined) continue;
    yield `${JSON.stringify({ name: d.name, file: d.file, skip: d.skip ?? null, todo: d.todo ?? null })}\n`;
  }
}
