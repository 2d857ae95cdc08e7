// The public API of tributary. Topology files import from here only.
export * from './runtime/errors.ts';
