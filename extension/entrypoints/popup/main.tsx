import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { pickLocale } from '../../i18n';
import { App } from './App';
import './style.css';

const locale = pickLocale(navigator.language);
document.documentElement.lang = locale;

const container = document.getElementById('root');
if (!container) throw new Error('popup: #root is missing');

createRoot(container).render(
  <StrictMode>
    <App locale={locale} />
  </StrictMode>,
);
