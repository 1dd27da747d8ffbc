// Entry of the lazily loaded chart-schema bundle (dist/schema.js): the only module that imports ajv,
// so activation never pays for it. A chart's values.schema.json is compiled once per content
// (cached by file and content hash) with the draft its `$schema` names: draft-04 (ajv-draft-04),
// draft-06, draft-07, 2019-09 or 2020-12, in any of the forms found in the wild (http or https,
// with or without the trailing `#`); no `$schema` means draft-07, as Helm's docs use. Remote `$ref`s
// are fetched through a RemoteRefs loader (HTTPS, cached) when one is given. Formats are not
// validated (ajv-formats is not bundled) and unknown keywords are ignored (`strict: false`):
// chart schemas in the wild are often loose. A schema that cannot be compiled is a result with a
// message, never an exception: callers report it instead of skipping validation.
import { createHash } from 'node:crypto';
import Ajv, { type AnySchemaObject, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
import AjvDraft04 from 'ajv-draft-04';
import type { SchemaError } from '../../core/language/schemaProblems';

export type { SchemaError };
export { RemoteRefs, RemoteRefError, type RemoteRefsOptions } from './remoteRefs';

export type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

export interface CompiledSchema {
  draft: Draft;
  /** The errors of `values` (all of them, not only the first); [] when valid. */
  validate(values: unknown): SchemaError[];
}

export type CompileResult =
  | { ok: true; schema: CompiledSchema }
  /** `remote`: the failure came from fetching a remote `$ref` (it may work later, online). */
  | { ok: false; message: string; remote?: boolean };

/** Loads the schema document at an absolute URL (without fragment), for remote `$ref`s. */
export type SchemaLoader = (url: string) => Promise<AnySchemaObject>;

/** The id ajv registers each draft's metaschema under. */
const CANONICAL: Record<Draft, string> = {
  'draft-04': 'http://json-schema.org/draft-04/schema#',
  'draft-06': 'http://json-schema.org/draft-06/schema#',
  'draft-07': 'http://json-schema.org/draft-07/schema#',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

const DRAFT_ID = /^https?:\/\/json-schema\.org\/(draft-0[3-7]|draft\/2019-09|draft\/2020-12)\/schema#?$/;

/**
 * Which draft a schema is written in, from its `$schema`: draft-07 when it has none, an error
 * message when it names a draft this validator does not know (rather than guessing).
 */
export function draftOf(schema: unknown): Draft | { unknown: string } {
  const id = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)['$schema'] : undefined;
  if (id === undefined) return 'draft-07';
  if (typeof id !== 'string') return { unknown: `"$schema" must be a string, not ${JSON.stringify(id)}.` };
  const m = DRAFT_ID.exec(id.trim());
  const name = m?.[1];
  if (name === 'draft-04' || name === 'draft-06' || name === 'draft-07') return name;
  if (name === 'draft/2019-09') return '2019-09';
  if (name === 'draft/2020-12') return '2020-12';
  const known = 'draft-04, draft-06, draft-07, 2019-09 and 2020-12 (e.g. "https://json-schema.org/draft-07/schema#")';
  return { unknown: `"$schema": "${id}" names no JSON Schema draft this extension validates with: it knows ${known}.` };
}

export interface SchemaCompilerOptions {
  /** Fetches remote `$ref`s; without it a remote `$ref` is a compile failure that says so. */
  load?: SchemaLoader;
  /** Why remote refs are not fetched, for the message (e.g. "the setting … is off"). */
  noLoadReason?: string;
}

/** Compiles schemas, each (file, content) once. One instance per extension host. */
export class SchemaCompiler {
  private readonly cache = new Map<string, { hash: string; result: Promise<CompileResult> }>();
  /** One engine per draft: an engine compiles its metaschema once, which costs more than most chart schemas. */
  private readonly engines = new Map<Draft, AjvCore>();
  /** Compiles run one at a time: each clears its engine's registered schemas first. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private options: SchemaCompilerOptions = {}) {}

  /** Changes how remote refs are loaded; schemas compiled before are compiled again on next use. */
  setOptions(options: SchemaCompilerOptions): void {
    this.options = options;
    this.cache.clear();
  }

  /** The compiled schema of `file` with content `text` (from the cache when the content is unchanged). */
  compile(file: string, text: string): Promise<CompileResult> {
    const hash = createHash('sha1').update(text).digest('hex');
    const cached = this.cache.get(file);
    if (cached?.hash === hash) return cached.result;
    const result = this.enqueue(() => this.build(text));
    const entry = { hash, result };
    this.cache.set(file, entry);
    // A failed fetch may succeed later (back online): compile again next time rather than keep it.
    void result.then((r) => {
      if (!r.ok && r.remote && this.cache.get(file) === entry) this.cache.delete(file);
    });
    return result;
  }

  /** Forgets a file (deleted, or no longer a chart schema). */
  forget(file: string): void {
    this.cache.delete(file);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async build(text: string): Promise<CompileResult> {
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (err) {
      return { ok: false, message: `values.schema.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      return { ok: false, message: 'values.schema.json must hold a JSON Schema object.' };
    }
    const draft = draftOf(schema);
    if (typeof draft !== 'string') return { ok: false, message: `values.schema.json cannot be used: ${draft.unknown}` };
    if (typeof schema === 'object') {
      // ajv knows each metaschema by one id only: give it that id whatever form the file uses.
      schema = { ...(schema as Record<string, unknown>), $schema: CANONICAL[draft] };
    }
    const remote: { failure?: string } = {};
    let validate: ValidateFunction;
    try {
      const engine = this.engine(draft, remote);
      // ajv registers every `$id` it compiles, and an edited schema keeps its ids: forget the
      // previous compiles (the validators already handed out keep working).
      engine.removeSchema();
      validate = typeof schema === 'boolean' ? engine.compile(schema) : await engine.compileAsync(schema as AnySchemaObject);
    } catch (err) {
      if (remote.failure !== undefined) {
        const message = `values.schema.json cannot be compiled: ${remote.failure}`;
        return this.options.load ? { ok: false, message, remote: true } : { ok: false, message };
      }
      return { ok: false, message: `values.schema.json is not a valid JSON Schema (${draft}): ${err instanceof Error ? err.message : String(err)}` };
    }
    return {
      ok: true,
      schema: {
        draft,
        validate: (values) => (validate(values) ? [] : (validate.errors ?? []).map(toSchemaError)),
      },
    };
  }

  private engine(draft: Draft, remote: { failure?: string }): AjvCore {
    let engine = this.engines.get(draft);
    if (!engine) {
      const options: Options = {
        strict: false,
        allErrors: true,
        validateFormats: false,
        logger: false,
        loadSchema: (url) => this.load(url),
      };
      engine =
        draft === 'draft-04'
          ? new AjvDraft04(options)
          : draft === '2020-12'
            ? new Ajv2020(options)
            : draft === '2019-09'
              ? new Ajv2019(options)
              : new Ajv(options);
      if (draft === 'draft-06') engine.addMetaSchema(draft06MetaSchema);
      this.engines.set(draft, engine);
    }
    this.failure = remote;
    return engine;
  }

  /** Where the current compile records a failed remote load (ajv rethrows its own error). */
  private failure: { failure?: string } = {};

  private async load(url: string): Promise<AnySchemaObject> {
    const record = this.failure;
    const { load, noLoadReason } = this.options;
    if (!load) {
      record.failure = `it has a remote $ref to ${url}, which is not fetched${noLoadReason ? `: ${noLoadReason}` : '.'}`;
      throw new Error(record.failure);
    }
    try {
      return await load(url);
    } catch (err) {
      record.failure = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }
}

function toSchemaError(e: ErrorObject): SchemaError {
  const out: SchemaError = { instancePath: e.instancePath, keyword: e.keyword, schemaPath: e.schemaPath, params: { ...e.params } };
  if (e.message !== undefined) out.message = e.message;
  return out;
}
