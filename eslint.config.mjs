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
    files: ['src/broker/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/broker and src/cli are the vscode-free core: pass VS Code services in from src/extension.ts instead.' }],
        patterns: [{ group: ['**/tree/*', '../commands/*', '../../commands/*', '**/webview/*', '**/extension', '**/services'], message: 'The core must not depend on VS Code adapters.' }],
      }],
    },
  },
);
