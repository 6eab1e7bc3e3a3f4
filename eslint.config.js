import tseslint from 'typescript-eslint';

// Only src/platform/* may touch a platform API (style guide D.6); the node-only entry
// points (the CLI, scripts, tests, the host simulator) are composition roots of their own.
const platformModules = ['node:*', 'fs', 'net', 'dgram', 'tls', 'crypto', 'child_process', 'ws'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', '.deps/', 'native/', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/platform/**', 'src/cli/**', 'src/relay/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: platformModules.map((group) => ({ group: [group], message: 'Platform APIs belong in src/platform/.' })) }],
    },
  },
);
