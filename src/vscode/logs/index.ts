// Entry of dist/logs.js: the stream manager, its commands' bodies, the quick picks and the status bar
// item. Loaded by lazyLogs.ts on the first log command.
export { createLogs } from './registerLogs';
