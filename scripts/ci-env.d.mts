export function isCiValue(value: string | undefined): boolean;
export function inCi(): boolean;
