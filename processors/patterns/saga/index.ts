export { saga, type Saga } from './saga.ts';
export type { SagaCommand, SagaCommandContext, SagaCompensation, SagaDefinition, SagaInput, SagaStep, SagaStepDefinition, SagaStepFactory } from './sagaDefinition.ts';
export type { SagaInstance, SagaStatus } from './sagaInstance.ts';
export type { RetryPolicy } from './retryPolicy.ts';
export type { SagaCause, SagaEvent, SagaIgnoredInput, SagaState, SagaTerminalState, SagaTransition } from './sagaTransition.ts';
