export * from './special-use';
export * from './localized-names';
export * from './sanitize';
export * from './map-folders';
