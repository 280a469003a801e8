export * from './version';
export * from './common';
export * from './account';
export * from './job';
export * from './requests';
export * from './events';
export * from './messages';
export * from './pairing';
