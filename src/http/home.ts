import { html } from '../lib/html.ts';
import type { AppDeps } from './server.ts';

// The page a newcomer opens first when the web console is not built (src/http/console.ts): what is
// running, why there is no console, and the first three things to try.
export function homePage(deps: AppDeps, o: { consoleMissing: boolean }): string {
  const base = deps.publicUrl;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tocsin</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1d2330}
h1{font-size:1.8rem;margin-bottom:.2rem} code,pre{background:#f2f4f8;border-radius:4px;padding:.1rem .3rem}
pre{padding:.8rem;overflow:auto} a{color:#2451b7} .ok{color:#13795b;font-weight:600}
.warn{border-left:4px solid #b45309;padding:.4rem .8rem;background:#fff7ed}
</style></head><body>
<h1>Tocsin <small>${deps.version}</small></h1>
<p class="ok">Running. Your incident response plan, as code.</p>
${o.consoleMissing ? html`<p class="warn"><strong>The web console is not built.</strong> Build it with <code>npm run build:web</code> (it is built by <code>npm ci</code>), then reload this page. The API and the CLI work meanwhile.</p>` : ''}
<ul>
<li><a href="/api/docs">API documentation</a> (OpenAPI at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>)</li>
<li><a href="/health/detailed">Health</a> and <a href="/metrics">Prometheus metrics</a></li>
</ul>
<h2>First three things to try</h2>
<ol>
<li>Load the example plans and a demo team:<pre>export TOCSIN_URL=${base} TOCSIN_TOKEN=&lt;the token printed at first start&gt;
npx tocsin apply -f examples/setup -f examples/plans</pre></li>
<li>Declare an incident and watch its target clocks:<pre>npx tocsin incident declare --plan minimal --severity SEV1 "Checkout is failing"
npx tocsin incident show 1</pre></li>
<li>Drill a plan on a virtual clock:<pre>npx tocsin drill examples/plans/creator-platform.yaml</pre></li>
</ol>
</body></html>`;
  return page.value;
}
