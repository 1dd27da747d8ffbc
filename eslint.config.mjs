// The dependency rule of docs/architecture.md is a lint error, not a convention.
import tseslint from 'typescript-eslint';

const noVscode = {
  name: 'vscode',
  message: 'core/, infra/, protocol/ and webview-ui/ must not import vscode: put editor code in src/vscode/.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'demo/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name=/^(readFileSync|existsSync|statSync|readdirSync)$/]", message: 'No synchronous I/O in extension code: use fs/promises.' }],
    },
  },
  {
    // A promise nobody awaits, returns or marks with `void` loses its rejection: say which on purpose.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['test/**/*.ts', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/infra/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode] }],
    },
  },
  {
    files: ['webview-ui/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/src/vscode/**', '**/src/infra/**'], message: 'webview-ui may only share src/protocol with the host.' }],
      }],
    },
  },
);
