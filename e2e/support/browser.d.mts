export const CHROMIUM_ARGS: string[];
export function findChromium(): string;
export const FIREFOX_PREFS: Record<string, boolean>;
export function findFirefox(): string;
