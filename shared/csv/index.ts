export * from './accounts-csv';
export * from './import-mode';
