export * from './accounts-csv';
