// The HTML of every webview panel, with the CSP in one place (architecture habit 6):
// default-src 'none'; scripts only by a fresh nonce per render; styles, fonts and images only from
// the extension's own resources (webview.cspSource); no inline styles, no eval, no network.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Webview options for a panel: scripts on, resources only from dist/webviews and media. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export interface WebviewPage {
  title: string;
  /** The panel's bundle: dist/webviews/<bundle>.js, and dist/webviews/<bundle>.css when `css`. */
  bundle: string;
  css?: boolean;
}

export function nonce(): string {
  return randomBytes(18).toString('base64');
}

export function contentSecurityPolicy(webview: vscode.Webview, scriptNonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${scriptNonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
}

/** The page: an empty #app that the bundle (an ES module, by nonce) fills. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const n = nonce();
  const base = vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(base, `${page.bundle}.js`));
  const style = page.css ? `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(base, `${page.bundle}.css`)).toString()}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, n)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(page.title)}</title>
${style}
</head>
<body>
<div id="app"></div>
<script type="module" nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
