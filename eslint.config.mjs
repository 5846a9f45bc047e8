// Flat config: typescript-eslint's recommended rules plus the project's one hard boundary:
// src/broker/ is the vscode-free core shared by the extension, the CLI and the tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.e2e/**', 'bench/**', 'scripts/**', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Test drivers and scripts written as plain ES modules run in Node.
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', fetch: 'readonly', AbortController: 'readonly', window: 'readonly', document: 'readonly' },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      curly: 'warn',
      eqeqeq: ['warn', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/naming-convention': ['warn', { selector: 'import', format: ['camelCase', 'PascalCase'] }],
    },
  },
  {
    // The vscode-free layers: the core (src/broker), the views' models (src/viewModel: the tree's broker session, the
    // panel's counts source and protocol, findings) and the CLI. None imports vscode or an adapter folder above it.
    files: ['src/broker/**/*.ts', 'src/viewModel/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/broker, src/viewModel and src/cli are vscode-free: pass VS Code services in from src/extension.ts instead.' }],
        patterns: [{ group: ['../tree/**', '../../tree/**', '../commands/**', '../../commands/**', '../webview/**', '../../webview/**', '../settings/**', '../../settings/**', '**/extension', '**/services', '**/statusBar'], message: 'The vscode-free layers must not depend on VS Code adapters.' }],
      }],
    },
  },
);
