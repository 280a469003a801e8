import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { LocaleProvider } from '../../i18n/locale-context';
import { App } from './App';
import '../../styles/base.css';
import './style.css';

const container = document.getElementById('root');
if (!container) throw new Error('popup: #root is missing');

createRoot(container).render(
  <StrictMode>
    <LocaleProvider>
      <App />
    </LocaleProvider>
  </StrictMode>,
);
