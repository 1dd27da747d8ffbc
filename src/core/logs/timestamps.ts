// The kubelet's `timestamps=true` prefix: RFC3339Nano as Go writes it (trailing zeros of the fraction
// trimmed, so `…05Z`, `…05.1Z` and `…05.123456789Z` all occur), then one space, then the line.
// Comparisons use a key with the fraction padded to nine digits: plain string order is then time order.

export interface StampedLine {
  /** The timestamp exactly as the API sent it. */
  ts: string;
  /** Sortable: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn` in UTC. */
  key: string;
  /** The container's text, untouched. */
  text: string;
}

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) /;

/** Splits `2024-05-01T10:00:00.123Z message`; undefined when the line carries no timestamp. */
export function splitTimestamp(line: string): StampedLine | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const key = timestampKey(m[1]!, m[2] ?? '', m[3]!);
  if (key === undefined) return undefined;
  return { ts: line.slice(0, m[0].length - 1), key, text: line.slice(m[0].length) };
}

function timestampKey(seconds: string, fraction: string, zone: string): string | undefined {
  let utcSeconds = seconds;
  if (zone !== 'Z') {
    const date = new Date(`${seconds}${zone}`);
    if (Number.isNaN(date.getTime())) return undefined;
    utcSeconds = date.toISOString().slice(0, 19);
  }
  return `${utcSeconds}.${fraction.padEnd(9, '0')}`;
}

/** The key of any RFC3339 time (the `sinceTime` a user gives, a timeline phase). */
export function keyOfTime(time: string | Date | number): string | undefined {
  if (typeof time === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
    if (m) return timestampKey(m[1]!, m[2] ?? '', m[3]!);
  }
  const date = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(date.getTime())) return undefined;
  return `${date.toISOString().slice(0, 19)}.${String(date.getUTCMilliseconds()).padStart(3, '0')}000000`;
}

/** The whole second a key falls in, as the `sinceTime` query wants it (`2024-05-01T10:00:00Z`). */
export function wholeSecond(key: string): string {
  return `${key.slice(0, 19)}Z`;
}

/** The second part of a key (lines of one second come again on resume). */
export function secondOf(key: string): string {
  return key.slice(0, 19);
}
