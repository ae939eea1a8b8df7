/** A parsed JSON object, and the test for one: shared by the readers of sweep files and results directories. */

/** A parsed JSON object (keys to unchecked values). */
export type JsonObject = Record<string, unknown>;

/** Whether a parsed JSON value is an object: not null, not an array. */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
