/**
 * JSON for files that others must be able to trust and parse anywhere: JSON.stringify silently writes NaN and
 * ±Infinity as null, which hides a bug as a value; here any non-finite number is an error instead.
 */
export function strictJson(value: unknown, where: string): string {
  const path: string[] = [];
  return `${JSON.stringify(
    value,
    function (this: unknown, key: string, item: unknown) {
      if (typeof item === 'number' && !Number.isFinite(item)) {
        path.push(key);
        throw new RangeError(`${where}: non-finite number ${String(item)} at "${path.join('.')}"`);
      }
      return item;
    },
    2,
  )}\n`;
}
