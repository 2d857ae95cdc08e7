// One mocha run covers unit and integration tests. The global fixture starts the
// local stack when none answers (and stops only what it started); the reporter
// closes with a plain `N passed, N failed` line that CI reads.
module.exports = {
  'node-option': ['import=tsx'],
  spec: ['test/unit/**/*.test.ts', 'bench/test/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/fault/**/*.test.ts'],
  require: ['test/support/globalStack.ts'],
  reporter: 'test/support/summaryReporter.cjs',
  timeout: 60000,
  exit: true,
};
