import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../../dashboard/App';
import { LocaleProvider } from '../../i18n/locale-context';
import '../../styles/base.css';
import '../../styles/dashboard.css';

const container = document.getElementById('root');
if (!container) throw new Error('dashboard: #root is missing');

createRoot(container).render(
  <StrictMode>
    <LocaleProvider>
      <App />
    </LocaleProvider>
  </StrictMode>,
);
