export * from './errors.ts';
export * from './eventPublisher.ts';
export * from './logging.ts';
export * from './mediator.ts';
export * from './messageDefinition.ts';
export * from './metrics.ts';
export * from './middleware.ts';
export * from './validation.ts';
