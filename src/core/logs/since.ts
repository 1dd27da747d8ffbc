// The `since` option as kubectl takes it (`30s`, `5m`, `1h`, `1h30m`) and `sinceTime` as an ISO time.

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Seconds, or throws with what is accepted. */
export function parseSince(value: string): number {
  const text = value.trim();
  const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!parts || text === '') throw new Error(`since "${value}" is not a duration: use a number with s, m or h, e.g. 30s, 5m, 1h.`);
  const seconds = Number(parts[1] ?? 0) * UNITS.h! + Number(parts[2] ?? 0) * UNITS.m! + Number(parts[3] ?? 0) * UNITS.s!;
  if (seconds <= 0) throw new Error(`since "${value}" must be longer than 0 seconds.`);
  return seconds;
}

/** The time as an ISO string, or throws. */
export function parseSinceTime(value: string): string {
  const time = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(value.trim()) ? new Date(value.trim()) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw new Error(`sinceTime "${value}" is not an ISO time such as 2025-01-31T09:30:00Z.`);
  return value.trim();
}
