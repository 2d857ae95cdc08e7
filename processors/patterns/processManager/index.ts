export { processManager, ProcessManager, type ProcessManagerOptions } from './processManager.ts';
export type { ProcessManagerDefinition, Decision, Emitted, EventContext, TimeoutContext } from './processManagerDefinition.ts';
export type { ProcessInstance } from './processInstance.ts';
