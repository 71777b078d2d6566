// A short label for a session's device, read from its User-Agent: "Firefox on Windows",
// "Safari on iPhone", "curl". Good enough to recognise one's own sign-ins in a list; never used
// for a security decision (the header is whatever the client says).

const browsers: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrome\/|\bCriOS\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const systems: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const tools: [RegExp, string][] = [
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/^PostmanRuntime\//i, 'Postman'],
  [/^python-requests\//i, 'Python requests'],
  [/^node-fetch|^undici|^node\b/i, 'Node.js'],
  [/^okhttp\//i, 'OkHttp'],
];

export function deviceLabel(userAgent: string | undefined): string {
  const ua = userAgent?.trim();
  if (!ua) return 'Unknown device';
  const tool = tools.find(([re]) => re.test(ua));
  if (tool) return tool[1];
  const browser = browsers.find(([re]) => re.test(ua))?.[1];
  const system = systems.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? ua.split(/[\s/]/)[0]!.slice(0, 40);
}
