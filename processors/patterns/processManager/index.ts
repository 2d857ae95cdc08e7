export { processManager, ProcessManager, type ProcessManagerOptions } from './processManager.ts';
export type { ProcessManagerDefinition, ProcessDecision, ProcessEmitted, ProcessEventContext, ProcessTimeoutContext } from './processManagerDefinition.ts';
export type { ProcessInstance } from './processInstance.ts';
