export { testConnection, type TestConnectionOptions, type Pop3Target } from './test-connection';
export { detectProvider, detectForServer, defaultResolver, type DnsResolver, type DetectOptions, type DetectForServerOptions } from './detect-provider';
export { detectRecentWindow, WINDOW_DAYS, type WindowInput, type WindowFolder } from './recent-window';
export { pop3InboxStat, Pop3CheckError, type InboxStat } from './pop3-inbox-stat';
export { probeImapServer, ProbeError, type ProbeOptions, type ProbeResult } from './probe';
