// Entry of the lazily loaded chart-schema bundle (dist/schema.js): the only module that imports ajv,
// so activation never pays for it. A chart's values.schema.json is compiled once per content
// (cached by file and content hash) with the draft its `$schema` names: 2020-12, 2019-09, or
// draft-07 (also for no `$schema` and older drafts, which draft-07 reads well enough for values).
// Formats are not validated (ajv-formats is not bundled) and unknown keywords are ignored
// (`strict: false`): chart schemas in the wild are often loose.
import { createHash } from 'node:crypto';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type { SchemaError } from '../../core/language/schemaProblems';

export type { SchemaError };

export type Draft = 'draft-07' | '2019-09' | '2020-12';

export interface CompiledSchema {
  draft: Draft;
  /** The errors of `values` (all of them, not only the first); [] when valid. */
  validate(values: unknown): SchemaError[];
}

export type CompileResult = { ok: true; schema: CompiledSchema } | { ok: false; message: string };

/** Which draft a schema is written in, from its `$schema`. */
export function draftOf(schema: unknown): Draft {
  const id = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)['$schema'] : undefined;
  if (typeof id === 'string' && id.includes('2020-12')) return '2020-12';
  if (typeof id === 'string' && id.includes('2019-09')) return '2019-09';
  return 'draft-07';
}

/** Compiles schemas, each (file, content) once. One instance per extension host. */
export class SchemaCompiler {
  private readonly cache = new Map<string, { hash: string; result: CompileResult }>();
  /** One engine per draft: an engine compiles its metaschema once, which costs more than most chart schemas. */
  private readonly engines = new Map<Draft, Ajv>();

  /** The compiled schema of `file` with content `text` (from the cache when the content is unchanged). */
  compile(file: string, text: string): CompileResult {
    const hash = createHash('sha1').update(text).digest('hex');
    const cached = this.cache.get(file);
    if (cached?.hash === hash) return cached.result;
    const result = this.build(text);
    this.cache.set(file, { hash, result });
    return result;
  }

  /** Forgets a file (deleted, or no longer a chart schema). */
  forget(file: string): void {
    this.cache.delete(file);
  }

  private build(text: string): CompileResult {
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
    if (typeof schema === 'object' && draft === 'draft-07') {
      // draft-04/06 metaschemas are not loaded: read them as draft-07 rather than refuse them.
      const id = (schema as Record<string, unknown>)['$schema'];
      if (typeof id === 'string' && !id.includes('draft-07')) {
        schema = { ...(schema as Record<string, unknown>) };
        delete (schema as Record<string, unknown>)['$schema'];
      }
    }
    let validate: ValidateFunction;
    try {
      const engine = this.engine(draft);
      // ajv registers every `$id` it compiles, and an edited schema keeps its ids: forget the
      // previous compiles (the validators already handed out keep working).
      engine.removeSchema();
      validate = engine.compile(schema as object);
    } catch (err) {
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


  private engine(draft: Draft): Ajv {
    let engine = this.engines.get(draft);
    if (!engine) {
      const options = { strict: false, allErrors: true, validateFormats: false, logger: false as const };
      engine = draft === '2020-12' ? new Ajv2020(options) : draft === '2019-09' ? new Ajv2019(options) : new Ajv(options);
      this.engines.set(draft, engine);
    }
    return engine;
  }
}

function toSchemaError(e: ErrorObject): SchemaError {
  const out: SchemaError = { instancePath: e.instancePath, keyword: e.keyword, schemaPath: e.schemaPath, params: { ...e.params } };
  if (e.message !== undefined) out.message = e.message;
  return out;
}
