// Whether a cluster serves an optional API (Argo CD's applications), asked once per context and
// kept until that context's settings change. A 404 for the group version means "not installed";
// any other failure is the informer's error and is asked again on its next attempt.
import type { ContextCredentials } from './credentials';
import { groupVersionPath, type ResourceSpec } from './resources';
import { HttpStatusError, requestJson } from './transport';

export class Discovery {
  private readonly answers = new Map<string, Promise<boolean>>();

  constructor(
    private readonly requestTimeoutMs: number,
    private readonly signal: AbortSignal,
  ) {}

  /** `key` identifies the context's settings (its digest): a changed context asks again. */
  serves(key: string, credentials: ContextCredentials, resource: ResourceSpec): Promise<boolean> {
    const cacheKey = `${key}\u0000${resource.group}/${resource.version}/${resource.plural}`;
    let answer = this.answers.get(cacheKey);
    if (answer === undefined) {
      answer = this.ask(credentials, resource);
      this.answers.set(cacheKey, answer);
      // Only a definite answer is kept.
      answer.catch(() => this.answers.delete(cacheKey));
    }
    return answer;
  }

  /** Forget the answers of settings no longer in use. */
  retain(keys: ReadonlySet<string>): void {
    for (const cacheKey of this.answers.keys()) {
      if (!keys.has(cacheKey.split('\u0000')[0]!)) this.answers.delete(cacheKey);
    }
  }

  private async ask(credentials: ContextCredentials, resource: ResourceSpec): Promise<boolean> {
    const target = await credentials.target();
    try {
      const list = (await requestJson(target, groupVersionPath(resource), {}, this.signal, this.requestTimeoutMs)) as { resources?: Array<{ name?: string }> };
      return (list.resources ?? []).some((r) => r.name === resource.plural);
    } catch (err) {
      if (err instanceof HttpStatusError && err.statusCode === 404) return false;
      throw err;
    }
  }
}
