// The Git browser in a real VS Code on the demo repository (issue 16): the API against `git log` and
// `git blame`, the History view rendered and clicked (a commit expanded by its arrow, a file row clicked
// into the native diff of gitopshq-git: documents), the "Who changed this?" hover section, and the Git
// Browser node of the Projects tree.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import * as vscode from "vscode";
import {
  screenshot,
  viewRows,
  viewToggle,
  workbenchClick,
  type RenderedRow,
} from "../support/control";
import { internals, waitFor, workspaceRoot } from "./support";

const git = async (...args: string[]) =>
  (
    await promisify(execFile)("git", args, {
      cwd: workspaceRoot(),
      maxBuffer: 8 * 1024 * 1024,
    })
  ).stdout;
const PANE_HEADER = (title: string) =>
  `.pane-header:has(h3.title:text-is("${title}"))`;
/** Collapses the other panes of the container (a virtualized tree renders only the rows in view), then puts them back. */
async function only<T>(keep: string, run: () => Promise<T>): Promise<T> {
  const others = ["Projects", "HQ Variables", "Releases", "History"].filter(
    (t) => t !== keep,
  );
  const toggled: string[] = [];
  try {
    for (const title of others)
      if (
        await workbenchClick(`${PANE_HEADER(title)}[aria-expanded="true"]`, {
          timeoutMs: 2000,
        }).catch(() => false)
      )
        toggled.push(title);
    return await run();
  } finally {
    for (const title of toggled)
      await workbenchClick(PANE_HEADER(title), { timeoutMs: 2000 }).catch(
        () => false,
      );
  }
}
const HISTORY_ROW = (level: number) =>
  `.pane:has(.pane-header h3.title:text-is("History")) .pane-body .monaco-list-row[aria-level="${level}"]`;

describe("Git browser", function () {
  this.timeout(90_000);

  it("answers history() like git log, with releases and deploy badges", async () => {
    const { api } = await internals();
    const slug = api.projects()[0]!.slug;
    const { commits } = await api.history({
      project: slug,
      workload: "payment-api",
      environment: "staging",
    });
    const paths = [
      "values/base/payment-api.yaml",
      "values/staging/payment-api.yaml",
      "values/staging/acme/payment-api.yaml",
      "values/staging/globex/payment-api.yaml",
      "charts/payment-api",
      ".gitopshq/variables.yaml",
    ];
    const expected = (
      await git("log", "--format=%H", "--no-renames", "HEAD", "--", ...paths)
    )
      .trim()
      .split("\n");
    assert.deepEqual(
      commits.map((c) => c.sha),
      expected,
    );
    for (const c of commits) {
      assert.equal(typeof c.author.name, "string");
      assert.match(c.author.email, /@/);
      assert.ok(Array.isArray(c.deployedIn));
    }
    // The staging release was cut from its head: that commit carries its id.
    const releaseFile = await git(
      "show",
      "HEAD:.gitopshq/releases/rel_01M7YXBA51KQHFN5TEW15CYEWB.yaml",
    );
    const head = /^head: (\w+)/m.exec(releaseFile)?.[1];
    assert.ok(head, "the demo release names its head");
    const cut = commits.find((c) => c.sha === head);
    if (cut) assert.equal(cut.release, "rel_01M7YXBA51KQHFN5TEW15CYEWB");
    // Staging's deployed branch holds the content of the commit its tip points at.
    const tip = (
      await git("rev-parse", "gitopshq/deployed/acme/staging")
    ).trim();
    const atTip = commits.find((c) => c.sha === tip);
    if (atTip)
      assert.ok(
        atTip.deployedIn.some(
          (d) => d.environment === "staging" && d.tenant === "acme",
        ),
        JSON.stringify(atTip),
      );
    const paged = await api.history(
      { project: slug, workload: "payment-api", environment: "staging" },
      { skip: 1, limit: 2 },
    );
    assert.deepEqual(
      paged.commits.map((c) => c.sha),
      expected.slice(1, 3),
    );
  });

  it("answers blame() like git blame", async () => {
    const { api } = await internals();
    const file = path.join(
      workspaceRoot(),
      "values",
      "staging",
      "payment-api.yaml",
    );
    const porcelain = await git(
      "blame",
      "--porcelain",
      "-L",
      "1,1",
      "--",
      "values/staging/payment-api.yaml",
    );
    const blamed = await api.blame(file, 0);
    assert.equal(blamed?.sha, porcelain.slice(0, 40));
    assert.match(blamed!.subject, /\S/);
  });

  it("shows the history view with commits, expands one by its arrow and opens a file’s native diff by a click", async function () {
    const { api } = await internals();
    const slug = api.projects()[0]!.slug;
    const shown = (await vscode.commands.executeCommand(
      "gitopshq.history.show",
      { project: slug, workload: "payment-api", environment: "staging" },
    )) as { commits: { sha: string; subject: string }[] };
    assert.ok(shown.commits.length > 0);
    const rows = await viewRows("History");
    if (rows === undefined) this.skip(); // a host without a browser to read
    const rendered = await waitFor(
      async () => {
        const r = await viewRows("History");
        return r &&
          r.filter((row) => row.level === 1).length >= shown.commits.length
          ? r
          : undefined;
      },
      "the History view to render its commits",
      20_000,
    );
    assert.deepEqual(
      rendered.filter((r) => r.level === 1).map((r) => r.label),
      shown.commits.map((c) => c.subject),
    );
    assert.ok(
      rendered.some((r) => /staging (✓|pending)/.test(r.description)),
      `badges in descriptions: ${show(rendered)}`,
    );
    await only("History", async () => {
      // The README's picture: a sidebar wide enough for the subjects and the descriptions (author,
      // date, release, badges), which the default width cuts after a few words.
      // (In VS Code 1.100 these commands resize the editor area: a narrower editor is a wider sidebar.)
      for (let i = 0; i < 14; i++)
        await vscode.commands.executeCommand("workbench.action.decreaseViewWidth");
      await new Promise((r) => setTimeout(r, 800));
      await screenshot("history-view");
      for (let i = 0; i < 14; i++)
        await vscode.commands.executeCommand("workbench.action.increaseViewWidth");
    });

    const first = shown.commits[0]!;
    assert.ok(await viewToggle("History", first.subject));
    const changed = (
      await git(
        "show",
        "--format=",
        "--name-only",
        "--diff-merges=first-parent",
        first.sha,
      )
    )
      .trim()
      .split("\n");
    // The rows come after the arrow's click: wait for all of them, not for the first render.
    const files = await waitFor(
      async () => {
        const level2 = (await viewRows("History"))?.filter((r) => r.level === 2);
        return level2 && level2.length >= changed.length ? level2 : undefined;
      },
      "the commit’s files",
    );
    assert.deepEqual(
      files.map((f) => f.label).sort(),
      changed.map((c) => path.posix.basename(c)).sort(),
    );

    assert.ok(await workbenchClick(HISTORY_ROW(2)));
    const tab = await waitFor(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff ? input : undefined;
    }, "a diff editor");
    assert.equal(tab.modified.scheme, "gitopshq-git");
    const doc = await vscode.workspace.openTextDocument(tab.modified);
    const repoPath = JSON.parse(tab.modified.query).path as string;
    assert.equal(doc.getText(), await git("show", `${first.sha}:${repoPath}`));
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });

  it('adds "Who changed this?" to the key hover of a values file', async () => {
    await internals();
    const file = path.join(
      workspaceRoot(),
      "values",
      "staging",
      "payment-api.yaml",
    );
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const line = doc
      .getText()
      .split("\n")
      .findIndex((l) => /^\s*[\w.-]+:/.test(l));
    const porcelain = await git(
      "blame",
      "--porcelain",
      "-L",
      `${line + 1},${line + 1}`,
      "--",
      "values/staging/payment-api.yaml",
    );
    const text = await waitFor(
      async () => {
        const hovers = (await vscode.commands.executeCommand(
          "vscode.executeHoverProvider",
          doc.uri,
          new vscode.Position(line, 1),
        )) as vscode.Hover[];
        const all = hovers
          .flatMap((h) =>
            h.contents.map((c) => (typeof c === "string" ? c : c.value)),
          )
          .join("\n");
        return all.includes("Who changed this?") ? all : undefined;
      },
      "the blame hover section",
      15_000,
    );
    assert.ok(text.includes(porcelain.slice(0, 7)), text);
    assert.match(text, /Deployed: /);
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
  });

  it("lists main, the deployed branches and commits under the Git Browser node of the project", async function () {
    const { api } = await internals();
    const project = api.projects()[0]!;
    // The History command showed the container already: a click on its icon would close it.
    const visible = await viewRows("Projects", { timeoutMs: 2000 }).catch(
      () => undefined,
    );
    if (
      !visible?.length &&
      !(await workbenchClick(
        '.activitybar a.action-label[aria-label^="GitOpsHQ"]',
      ))
    )
      this.skip();
    await only("Projects", async () => {
      // Inside only(): after the other suites the Projects pane is short and the row is out of view.
      await waitFor(
        async () =>
          (await viewRows("Projects"))?.some((r) => r.label === "Git Browser"),
        "the Git Browser row",
      );
      const expanded = (await viewRows("Projects"))!.find(
        (r) => r.label === "Git Browser",
      )!.expanded;
      if (!expanded) assert.ok(await viewToggle("Projects", "Git Browser"));
      const rows = await waitFor(
        async () => {
          const r = await viewRows("Projects");
          return r?.some((row) => row.label.startsWith("Last "))
            ? r
            : undefined;
        },
        "the Git Browser children",
        20_000,
      );
      const branches = (
        await git(
          "for-each-ref",
          "--format=%(refname:short)",
          "refs/heads/gitopshq/deployed",
        )
      )
        .trim()
        .split("\n");
      for (const b of branches) {
        const row = rows.find((r) => r.label === b);
        assert.ok(row, `${b} in ${show(rows)}`);
        assert.match(row.description, /behind main|up to date/);
      }
      assert.ok(rows.some((r) => r.label === "main"));
      assert.ok(await viewToggle("Projects", "Last 20 commits"));
      const subjects = (await git("log", "-20", "--format=%s", "main"))
        .trim()
        .split("\n");
      await waitFor(
        async () =>
          (await viewRows("Projects"))?.some((r) => r.label === subjects[0]),
        "the recent commits",
      );
      assert.ok(project.slug);
    });
  });
});

function show(rows: RenderedRow[]): string {
  return rows
    .map((r) => `${r.level}:${r.label} [${r.description}]`)
    .join(" | ");
}
