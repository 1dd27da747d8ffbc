// Read-only virtual documents of a workload's effective values, for VS Code's diff editor:
//   gitopshq-effective:/<project>/<tenant>/<environment>/<workload>.yaml
// Rendered from the index on demand (secrets already masked by the core) and refreshed when the
// project changes, so an open diff follows file edits too.
import * as vscode from 'vscode';
import { renderEffectiveYaml } from '../../core/compare/compare';
import type { Services } from '../services';

export const EFFECTIVE_SCHEME = 'gitopshq-effective';

export interface EffectiveRef {
  project: string;
  tenant: string;
  environment: string;
  workload: string;
}

export function effectiveUri(ref: EffectiveRef): vscode.Uri {
  const seg = (s: string) => encodeURIComponent(s);
  return vscode.Uri.from({
    scheme: EFFECTIVE_SCHEME,
    path: `/${seg(ref.project)}/${seg(ref.tenant)}/${seg(ref.environment)}/${seg(ref.workload)}.yaml`,
  });
}

export function parseEffectiveUri(uri: vscode.Uri): EffectiveRef | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\.yaml$/.exec(uri.path);
  if (!m) return undefined;
  const [, project, tenant, environment, workload] = m.map((s) => decodeURIComponent(s ?? ''));
  return { project: project!, tenant: tenant!, environment: environment!, workload: workload! };
}

export function registerEffectiveDocuments(s: Services): void {
  const changed = s.store.register(new vscode.EventEmitter<vscode.Uri>());
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent(uri) {
      const ref = parseEffectiveUri(uri);
      if (!ref) return `# Not a GitOpsHQ effective values address: ${uri.toString()}\n`;
      try {
        // No header line: it would differ between the two sides and show as a change in every diff
        // (the diff editor's title says what each side is).
        return renderEffectiveYaml(s.projects.index.effective(ref.project, ref.workload, ref.environment, ref.tenant).values);
      } catch (err) {
        return `# ${err instanceof Error ? err.message : String(err)}\n`;
      }
    },
  };
  s.store.register(vscode.workspace.registerTextDocumentContentProvider(EFFECTIVE_SCHEME, provider));
  s.store.register(
    s.projects.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === EFFECTIVE_SCHEME) changed.fire(doc.uri);
    }),
  );
}
