import { useEffect, useState } from 'react';

export type Route = { page: 'jobs' } | { page: 'new' } | { page: 'self' } | { page: 'workers' } | { page: 'job'; jobId: string } | { page: 'verifyReport'; jobId: string };

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const job = /^\/jobs\/([A-Za-z0-9_-]+)$/.exec(h);
  if (job) return { page: 'job', jobId: job[1]! };
  const report = /^\/jobs\/([A-Za-z0-9_-]+)\/verify-report$/.exec(h);
  if (report) return { page: 'verifyReport', jobId: report[1]! };
  if (h === '/new') return { page: 'new' };
  if (h === '/self') return { page: 'self' };
  if (h === '/workers') return { page: 'workers' };
  return { page: 'jobs' };
}

/** Hash routing (#/new, #/jobs/<id>, #/jobs/<id>/verify-report, #/self, #/workers): extension pages have no server to route. */
export function useHashRoute(): [Route, (path: string) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [route, (path) => (location.hash = path)];
}
