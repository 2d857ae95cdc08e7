export * from './aggregateDefinition.ts';
export * from './aggregateHistory.ts';
export * from './eventSourcedAggregate.ts';
export * from './rebuild.ts';
