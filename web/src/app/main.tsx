// The pages' entry: `/console` is the producer console (loaded on demand, so fans never download
// it or its chart library); anything else is the fan page, for the event named by `?event=` or a
// `/e/<id>` path, else `demo`.

import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { FanPage } from './fan/fan-page.js';
import { delayFromLocation, eventFromLocation } from './routes.js';
import './styles.css';

const ConsolePage = lazy(() => import('./console/console-page.js'));

function App() {
  if (location.pathname.replace(/\/+$/, '') === '/console') {
    return (
      <Suspense fallback={<p className="loading">Loading the console…</p>}>
        <ConsolePage />
      </Suspense>
    );
  }
  const params = new URLSearchParams(location.search);
  return (
    <FanPage
      eventId={eventFromLocation(location)}
      name={params.get('name') ?? undefined}
      targetLatencyMs={delayFromLocation(location)}
    />
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
