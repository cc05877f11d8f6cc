/**
 * Rejects option names `known` does not list (a misspelt `intervall` would otherwise be ignored without a word,
 * and script-tag users have no compiler to catch it). Options of a newer version of this SDK are rejected too:
 * pin the version you write against.
 */
export function rejectUnknownOptions(where: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((name) => !known.includes(name) && (options as Record<string, unknown>)[name] !== undefined);
  if (unknown.length > 0) {
    throw new TypeError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the options are ${known.join(', ')}.`);
  }
}
