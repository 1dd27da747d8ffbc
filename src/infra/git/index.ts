// Entry of the lazily loaded dist/git.js bundle: the read side (GitRepository) and the release write side.
export * from './gitRepository';
export * from './releaseGit';
export * from './releaseTrust';
export * from './gitHistory';
export * from './gitQueue';
export * from './historyBrowser';
