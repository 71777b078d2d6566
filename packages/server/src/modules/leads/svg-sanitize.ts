// A strict allow-list SVG sanitiser for tenant logos (no sanitiser library is installed). The
// document is tokenised, every element and attribute checked against short allow-lists, and the
// result re-serialised from the tokens, so nothing that was not understood passes through.
// Refused outright: scripts, styles (CSS can fetch), foreign objects, event handlers, external
// references (only `#id` and `url(#id)`), DOCTYPEs and entities (billion laughs), CDATA.
// Logos are also served with a CSP sandbox, so a gap here still runs nothing.

export class UnsafeSvgError extends Error {
  override readonly name = 'UnsafeSvgError';
}

const elements = new Set([
  'svg',
  'g',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'defs',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'title',
  'desc',
  'text',
  'tspan',
  'use',
  'symbol',
]);

const attributes = new Set([
  'id',
  'class',
  'version',
  'width',
  'height',
  'viewBox',
  'preserveAspectRatio',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'fx',
  'fy',
  'dx',
  'dy',
  'd',
  'points',
  'transform',
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-linecap',
  'stroke-linejoin',
  'stroke-miterlimit',
  'stroke-dasharray',
  'stroke-dashoffset',
  'opacity',
  'clip-path',
  'clip-rule',
  'clipPathUnits',
  'mask',
  'maskUnits',
  'offset',
  'stop-color',
  'stop-opacity',
  'gradientUnits',
  'gradientTransform',
  'spreadMethod',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'letter-spacing',
  'display',
  'visibility',
  'vector-effect',
  'shape-rendering',
  'color',
  'href',
  'xlink:href',
  'xmlns',
  'xmlns:xlink',
  'xml:space',
]);

const fixedValues: Record<string, string> = {
  xmlns: 'http://www.w3.org/2000/svg',
  'xmlns:xlink': 'http://www.w3.org/1999/xlink',
};

const MAX_ELEMENTS = 20_000;
const MAX_DEPTH = 64;

const namePattern = /^[A-Za-z_][\w:.-]*$/;
const endTag = /<\/([A-Za-z_][\w:.-]*)\s*>/y;
const startTag = /<([A-Za-z_][\w:.-]*)/y;
const tagClose = /\s*(\/?)>/y;
const attrPattern = /\s*([A-Za-z_][\w:.-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
const textEntity = /&(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g;

function checkValue(name: string, value: string): void {
  if (fixedValues[name] !== undefined && value !== fixedValues[name]) {
    throw new UnsafeSvgError(`${name} must be ${fixedValues[name]}.`);
  }
  if ((name === 'href' || name === 'xlink:href') && !/^#[\w.-]+$/.test(value)) {
    throw new UnsafeSvgError('Only references inside the SVG (#id) are allowed.');
  }
  if (/[&\\]/.test(value))
    throw new UnsafeSvgError(`The ${name} attribute has an escape sequence.`);
  const lower = value.toLowerCase();
  if (/(javascript|vbscript|data)\s*:/.test(lower))
    throw new UnsafeSvgError('Script or data URLs are not allowed.');
  for (const match of lower.matchAll(/url\s*\(([^)]*)\)/g)) {
    if (!/^\s*#[\w.-]+\s*$/.test(match[1] ?? '')) {
      throw new UnsafeSvgError('Only url(#id) references are allowed.');
    }
  }
}

const escapeAttr = (value: string) => value.replace(/"/g, '&quot;');

/** Returns a clean re-serialisation of `source`, or throws UnsafeSvgError saying why. */
export function sanitizeSvg(source: string): string {
  let i = 0;
  let out = '';
  const stack: string[] = [];
  let count = 0;
  let sawRoot = false;
  // Sticky regexes match at `i` without copying the rest of the document.
  const at = (pattern: RegExp) => {
    pattern.lastIndex = i;
    return pattern.exec(source);
  };

  // Prolog: an optional XML declaration, whitespace and comments.
  const decl = /^\s*<\?xml[^?]*\?>/.exec(source);
  if (decl) i = decl[0].length;

  while (i < source.length) {
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end === -1) throw new UnsafeSvgError('A comment is not closed.');
      i = end + 3;
      continue;
    }
    if (source.startsWith('<!', i) || source.startsWith('<?', i)) {
      throw new UnsafeSvgError(
        'DOCTYPEs, entities, CDATA and processing instructions are not allowed.',
      );
    }
    if (source.startsWith('</', i)) {
      const match = at(endTag);
      if (!match) throw new UnsafeSvgError('A malformed end tag.');
      const name = match[1]!;
      if (stack.pop() !== name)
        throw new UnsafeSvgError(`</${name}> does not close the open element.`);
      out += `</${name}>`;
      i += match[0].length;
      continue;
    }
    if (source[i] === '<') {
      const nameMatch = at(startTag);
      if (!nameMatch || !namePattern.test(nameMatch[1]!))
        throw new UnsafeSvgError('A malformed tag.');
      const name = nameMatch[1]!;
      if (!elements.has(name)) throw new UnsafeSvgError(`<${name}> is not allowed in a logo.`);
      if (stack.length === 0 && (sawRoot || name !== 'svg')) {
        throw new UnsafeSvgError('The document must be a single <svg> element.');
      }
      sawRoot = true;
      if (++count > MAX_ELEMENTS || stack.length >= MAX_DEPTH)
        throw new UnsafeSvgError('The SVG is too complex.');
      i += nameMatch[0].length;
      const attrs: string[] = [];
      const seen = new Set<string>();
      for (;;) {
        attrPattern.lastIndex = i;
        const attr = attrPattern.exec(source);
        if (!attr) break;
        const attrName = attr[1]!;
        const value = attr[3] ?? attr[4] ?? '';
        if (!attributes.has(attrName))
          throw new UnsafeSvgError(`The ${attrName} attribute is not allowed.`);
        if (seen.has(attrName)) throw new UnsafeSvgError(`The ${attrName} attribute is repeated.`);
        seen.add(attrName);
        checkValue(attrName, value);
        attrs.push(`${attrName}="${escapeAttr(value)}"`);
        i = attrPattern.lastIndex;
      }
      const close = at(tagClose);
      if (!close) throw new UnsafeSvgError(`<${name}> has a malformed attribute.`);
      i += close[0].length;
      const selfClosing = close[1] === '/';
      out += `<${name}${attrs.length ? ` ${attrs.join(' ')}` : ''}${selfClosing ? '/>' : '>'}`;
      if (!selfClosing) stack.push(name);
      continue;
    }
    // Text: no markup, only the five XML entities and numeric references.
    const next = source.indexOf('<', i);
    const text = source.slice(i, next === -1 ? source.length : next);
    if (text.replace(textEntity, '').includes('&'))
      throw new UnsafeSvgError('Text has an unknown entity.');
    if (stack.length === 0 && text.trim() !== '')
      throw new UnsafeSvgError('Text outside the <svg> element.');
    out += stack.length === 0 ? '' : text;
    i += text.length;
  }
  if (!sawRoot) throw new UnsafeSvgError('No <svg> element.');
  if (stack.length > 0) throw new UnsafeSvgError(`<${stack[stack.length - 1]}> is not closed.`);
  return out;
}
