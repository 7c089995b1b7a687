// Regression seeds of the decoder fuzzer: each runs on every `npm test` (test/fuzz/fuzz.test.ts).
// A seed whose run found something (in CI's random pass or `npm run fuzz`) goes here, with the
// count that reaches the finding and what it was, once the finding is fixed.
export const REGRESSION_SEEDS: readonly { seed: number; count: number; note: string }[] = [
  { seed: 4289, count: 20_000, note: 'the fixed pass CI ran before random seeds' },
];
