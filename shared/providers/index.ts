export * from './types';
export * from './guides';
export { PROVIDER_PRESETS, GENERIC_PITFALLS } from './presets';
export * from './match';
export * from './remedies';
export * from './connection-report';
