import '@fontsource/noto-sans-ethiopic/400.css';
import '@fontsource/noto-sans-ethiopic/700.css';
import './styles.css';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/app';
import { preloadPage } from './app/pages';
import { prefetchFor } from './app/prefetch';
import { hasTabToken, SessionProvider, startSessionCheck } from './auth/session';

const queryClient = new QueryClient({
  defaultOptions: {
    // Live events refetch what changed; a 401 is handled by the session, never retried.
    queries: {
      staleTime: 10_000,
      retry: (count, error) => count < 2 && !('status' in error && error.status === 401),
    },
  },
});

// Everything the first screen needs starts at once: the session, the page's chunk, its data.
startSessionCheck();
preloadPage(window.location.pathname);
prefetchFor(queryClient, window.location.pathname, hasTabToken());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <SessionProvider>
            <App />
          </SessionProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </StrictMode>,
  );
}
