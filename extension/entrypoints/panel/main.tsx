import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LocaleProvider } from '../../i18n/locale-context';
import { installPanelDb, startMirrorRelay } from '../../panel/mirror-relay';
import { PanelApp } from '../../panel/PanelApp';
import '../../styles/base.css';
import '../../styles/dashboard.css';
import '../../panel/panel.css';

// Before anything reads db(): the panel's in-memory mirror, fed by the background.
startMirrorRelay(installPanelDb());

const container = document.getElementById('root');
if (!container) throw new Error('panel: #root is missing');

createRoot(container).render(
  <StrictMode>
    <LocaleProvider>
      <PanelApp />
    </LocaleProvider>
  </StrictMode>,
);
