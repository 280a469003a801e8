import { defineConfig } from 'wxt';
import { EXTENSION_PUBLIC_KEY, FIREFOX_ADDON_ID } from './extension/extension-id';

// WXT 0.21: srcDir and entrypointsDir resolve against the source dir, publicDir
// against the project root. Output goes to .output/<browser>-mv<n>/.
export default defineConfig({
  srcDir: 'extension',
  entrypointsDir: 'entrypoints',
  publicDir: 'extension/public',
  modules: ['@wxt-dev/module-react'],
  manifest: ({ browser }) => ({
    name: 'mailmover',
    description: 'Enterprise mailbox migration (邮箱搬家) with a local bridge.',
    permissions: ['storage', 'alarms', 'notifications'],
    // storage: pairing token, port, language; alarms: wake the worker to reconnect;
    // notifications: an account failed, a first pass finished. Hosts: the local bridge only.
    host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: FIREFOX_ADDON_ID,
              data_collection_permissions: { required: ['none'] },
            },
          },
        }
      : {
          // Pins the Chromium extension id (see extension/extension-id.ts).
          key: EXTENSION_PUBLIC_KEY,
        }),
  }),
});
