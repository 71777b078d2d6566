// The human-readable API reference at GET /docs: rendered on the server from the OpenAPI document,
// one self-contained page (inline CSS, no scripts, no CDN), so it works offline and under a strict CSP.

type Json = Record<string, unknown>;

const escapeMap: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => escapeMap[ch] ?? ch);
}

/** Just enough Markdown for our descriptions: paragraphs, `code` and **bold**. */
function prose(text: unknown): string {
  if (typeof text !== 'string' || !text) return '';
  return text
    .split(/\n{2,}/)
    .map(
      (para) =>
        `<p>${escapeHtml(para)
          .replace(/`([^`]+)`/g, '<code>$1</code>')
          .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')}</p>`,
    )
    .join('');
}

function schemaBlock(schema: unknown): string {
  if (!schema) return '';
  return `<details><summary>Schema</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;
}

function anchorOf(operationId: string): string {
  return `op-${operationId.replace(/[^\w-]/g, '-')}`;
}

function operationHtml(method: string, path: string, op: Json): string {
  const parameters = (op.parameters as Json[] | undefined) ?? [];
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const responses = (op.responses as Record<string, Json> | undefined) ?? {};
  const paramRows = parameters
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : ''}</td><td>${escapeHtml(
          (p.schema as Json | undefined)?.type ?? '',
        )}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
    )
    .join('');
  const responseRows = Object.entries(responses)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, r]) => {
      const content = r.content as Record<string, Json> | undefined;
      const [type, media] = content ? (Object.entries(content)[0] ?? []) : [];
      const schema = media?.schema as Json | undefined;
      const isErrorRef = schema && '$ref' in schema;
      return `<tr><td class="status s${escapeHtml(status[0])}">${escapeHtml(status)}</td><td>${escapeHtml(r.description)}${
        type ? ` <span class="muted">(${escapeHtml(type)})</span>` : ''
      }${schema && !isErrorRef ? schemaBlock(schema) : ''}</td></tr>`;
    })
    .join('');
  const bodyHtml = body
    ? Object.entries(body)
        .map(
          ([type, media]) =>
            `<h4>Request body <span class="muted">${escapeHtml(type)}</span></h4>${schemaBlock(media.schema)}`,
        )
        .join('')
    : '';
  return `<section class="op" id="${anchorOf(String(op.operationId))}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p class="summary">${escapeHtml(op.summary ?? '')} <span class="muted">· ${escapeHtml(op.operationId)}</span></p>
${prose(op.description)}
${paramRows ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>type</th><th></th></tr>${paramRows}</table>` : ''}
${bodyHtml}
<h4>Responses</h4><table>${responseRows}</table>
</section>`;
}

export function renderApiReference(doc: Json): string {
  const info = (doc.info as Json | undefined) ?? {};
  const paths = (doc.paths as Record<string, Record<string, Json>> | undefined) ?? {};
  const byTag = new Map<string, { method: string; path: string; op: Json }[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0] ?? 'Other';
      const list = byTag.get(tag) ?? [];
      list.push({ method, path, op });
      byTag.set(tag, list);
    }
  }
  const toc = [...byTag.entries()]
    .map(
      ([tag, ops]) =>
        `<li>${escapeHtml(tag)}<ul>${ops
          .map(
            ({ method, path, op }) =>
              `<li><a href="#${anchorOf(String(op.operationId))}"><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> ${escapeHtml(path)}</a></li>`,
          )
          .join('')}</ul></li>`,
    )
    .join('');
  const sections = [...byTag.entries()]
    .map(
      ([tag, ops]) =>
        `<h2>${escapeHtml(tag)}</h2>${ops.map(({ method, path, op }) => operationHtml(method, path, op)).join('')}`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title ?? 'API')} reference</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
header{padding:24px 32px;background:#14213d;color:#fff}header p{margin:4px 0 0;opacity:.85}
header a{color:#9ecbff}
.layout{display:flex;align-items:flex-start}
nav{width:300px;flex:none;position:sticky;top:0;max-height:100vh;overflow:auto;padding:16px;border-right:1px solid #e3e6eb;font-size:13px}
nav ul{list-style:none;padding-left:8px;margin:4px 0 12px}nav a{color:#1d2330;text-decoration:none}
main{padding:8px 32px 64px;max-width:1000px}
.op{background:#fff;border:1px solid #e3e6eb;border-radius:8px;padding:12px 20px;margin:16px 0}
.op h3{margin:4px 0;font-size:16px}
.method{display:inline-block;min-width:54px;text-align:center;border-radius:4px;padding:1px 6px;font:600 12px ui-monospace,monospace;color:#fff;background:#6b7280}
.get{background:#2563eb}.post{background:#16a34a}.delete{background:#dc2626}.patch,.put{background:#d97706}
.summary{margin:4px 0;font-weight:500}.muted{color:#6b7280;font-weight:400}
table{border-collapse:collapse;width:100%;font-size:13px;margin:4px 0}td,th{border-top:1px solid #eef0f3;padding:4px 8px;text-align:left;vertical-align:top}
.status{font:600 13px ui-monospace,monospace;width:48px}.s2{color:#16a34a}.s4{color:#d97706}.s5{color:#dc2626}
pre{background:#f3f4f6;padding:8px;border-radius:6px;overflow:auto;font-size:12px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em}
details summary{cursor:pointer;color:#2563eb;font-size:12px}
</style></head>
<body><header><h1>${escapeHtml(info.title ?? 'API')} <span class="muted" style="color:#cbd5e1">${escapeHtml(info.version ?? '')}</span></h1>
${prose(info.description)}<p><a href="/openapi.json">openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi ?? '')})</p></header>
<div class="layout"><nav><ul>${toc}</ul></nav><main>${sections}</main></div>
</body></html>`;
}
