// Whether the environment is CI: any truthy CI variable (CI=true, CI=1, CI=TRUE, CI=yes ...),
// not only CI=true. Unset, empty, 0, false, no and off are not CI. The test runner and the
// tests' skip helper (test/helpers/env.ts) both decide with this one function.

/** @param {string | undefined} value the CI variable */
export function isCiValue(value) {
  if (value === undefined) return false;
  return !['', '0', 'false', 'no', 'off'].includes(value.trim().toLowerCase());
}

export const inCi = () => isCiValue(process.env.CI);
