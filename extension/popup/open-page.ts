import { browser } from 'wxt/browser';

/** Opens a dashboard route in a tab (no "tabs" permission needed to create one). */
export function openDashboard(route = ''): void {
  void browser.tabs.create({ url: browser.runtime.getURL(`/dashboard.html${route ? `#${route}` : ''}`) });
  window.close();
}
