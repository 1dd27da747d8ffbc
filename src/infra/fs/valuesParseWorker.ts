// Worker thread entry (dist/valuesParseWorker.js, started by ValuesParser): parses a values file
// with parseValuesFile, or a variables file with parseVariables, and posts the result back in parts,
// each small enough to deserialise on the extension host's thread without holding its event loop
// (one part is one message, one task). It also runs jobs on large texts whose result is small: a
// release diff with secrets masked, the changed values of an audit entry (core/release/largeTexts.ts).
import { parentPort } from 'node:worker_threads';
import { parseVariables } from '../../core/model/variables';
import { parseValuesFile } from '../../core/yaml/valuesReader';
import { changeSummary } from '../../core/release/changedValues';
import { fileDiff } from '../../core/release/fileDiff';
import { DISPLAY_MASKING, SecretMasker } from '../../core/secrets/mask';
import { encodeDefinitions, type JobRequest, type ParseReply, type ParseRequest, type VariablesRequest } from './valuesParser';

/** Top-level entries per part, and origins per part. */
const KEYS_PER_PART = 64;
const utf8 = new TextDecoder();
const ORIGINS_PER_PART = 8192;

parentPort?.on('message', (request: ParseRequest | VariablesRequest | JobRequest) => {
  const post = (reply: ParseReply) => parentPort?.postMessage(reply);
  try {
    if (request.kind === 'fileDiff') {
      const masker = new SecretMasker(request.secrets, DISPLAY_MASKING);
      const diff = fileDiff(request.path, utf8.decode(request.before), utf8.decode(request.after), masker, request.structural);
      post({ id: request.id, kind: 'result', result: diff });
      return;
    }
    if (request.kind === 'changes') {
      const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : utf8.decode(bytes));
      post({ id: request.id, kind: 'result', result: changeSummary(text(request.before), text(request.after), request.max) ?? null });
      return;
    }
    if (request.kind === 'variables') {
      const result = parseVariables(request.text, request.file, request.project);
      post({ id: request.id, kind: 'definitions', parts: encodeDefinitions(result.variables.all()), problems: result.problems });
      return;
    }
    const parsed = parseValuesFile(request.text, request.file, request.layer);
    const entries = Object.entries(parsed.value);
    for (let i = 0; i < entries.length; i += KEYS_PER_PART) post({ id: request.id, kind: 'values', entries: entries.slice(i, i + KEYS_PER_PART) });
    const origins = [...parsed.origins];
    for (let i = 0; i < origins.length; i += ORIGINS_PER_PART) {
      const part = origins.slice(i, i + ORIGINS_PER_PART);
      const positions = new Int32Array(part.length * 2);
      part.forEach(([, o], k) => {
        positions[2 * k] = o.line;
        positions[2 * k + 1] = o.character;
      });
      post({ id: request.id, kind: 'origins', paths: part.map(([p]) => p), positions });
    }
    post({ id: request.id, kind: 'done', problems: parsed.problems });
  } catch (err) {
    post({ id: request.id, kind: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
});
