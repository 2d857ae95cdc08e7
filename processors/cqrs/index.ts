export * from './errors.ts';
export * from './eventPublisher.ts';
export * from './loggingMiddleware.ts';
export * from './mediator.ts';
export * from './messageDefinition.ts';
export * from './metricsMiddleware.ts';
export * from './middleware.ts';
export * from './validationMiddleware.ts';
