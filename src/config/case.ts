// The one mapping from the file's keys to the typed config's: kebab-case becomes camelCase
// ("accept-more-specifics" -> "acceptMoreSpecifics"), at every depth, in types and at run time.

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

export type CamelKeys<T> = T extends readonly (infer U)[]
  ? CamelKeys<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? CamelCase<K> : K]: CamelKeys<T[K]> }
    : T;

const camelCase = (key: string): string => key.replace(/-(.)/g, (_, c: string) => c.toUpperCase());

export function camelKeys<T>(value: T): CamelKeys<T> {
  if (Array.isArray(value)) return value.map(camelKeys) as CamelKeys<T>;
  if (value === null || typeof value !== 'object') return value as CamelKeys<T>;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), camelKeys(v)])) as CamelKeys<T>;
}
