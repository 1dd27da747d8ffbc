// Times read from objects (RFC 3339) and written back in one form, so that equal instants compare
// equal whatever precision the API server or a computation gave them.

/** Milliseconds since the epoch, or undefined for an absent or unreadable time. */
export function ms(time: string | null | undefined): number | undefined {
  if (!time) return undefined;
  const value = Date.parse(time);
  return Number.isFinite(value) ? value : undefined;
}

/** RFC 3339 in UTC, milliseconds only when there are some: `2026-03-02T10:29:30Z`. */
export function iso(millis: number): string {
  return new Date(millis).toISOString().replace('.000Z', 'Z');
}

/** The latest of the readable times, if any. */
export function latest(times: readonly (string | null | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const t of times) {
    const value = ms(t);
    if (value !== undefined && (best === undefined || value > best)) best = value;
  }
  return best;
}

/** The earliest of the readable times, if any. */
export function earliest(times: readonly (string | null | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const t of times) {
    const value = ms(t);
    if (value !== undefined && (best === undefined || value < best)) best = value;
  }
  return best;
}
