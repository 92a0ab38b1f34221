import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_EMAIL, decideUserCode } from './approval.js';
import { escapeHtml, readForm, sendHtml } from './http.js';
import { normalizeUserCode } from './ids.js';
import type { SimulatorState } from './state.js';

/**
 * The verification page (RFC 8628 §3.3): plain server-rendered HTML and a
 * form POST, so it works in any browser, text ones included, without script.
 */

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - iFlow simulator</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 30rem; margin: 3rem auto; padding: 0 1rem; }
label { display: block; margin-top: 1rem; }
input { font: inherit; width: 100%; padding: .4rem; box-sizing: border-box; }
input[name=user_code] { font-family: ui-monospace, monospace; letter-spacing: .15em; }
button { font: inherit; margin: 1.2rem .5rem 0 0; padding: .4rem 1.2rem; }
.error { color: #a00; }
.hint { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

interface FormValues {
  userCode: string;
  email: string;
  phone: string;
  error?: string;
}

function formPage(values: FormValues): string {
  const error = values.error ? `<p class="error">${escapeHtml(values.error)}</p>\n` : '';
  return page(
    'Authorize a device',
    `<p>Enter the code shown in your terminal to let the CCS CLI use this account.</p>
${error}<form method="post" action="/device">
<label>Code <input name="user_code" value="${escapeHtml(values.userCode)}"
  placeholder="ABCD-EFGH" autocomplete="off" autofocus required></label>
<label>E-mail <input name="email" type="email" value="${escapeHtml(values.email)}"></label>
<label>Phone <input name="phone" value="${escapeHtml(values.phone)}"
  placeholder="optional, e.g. 13812345678"></label>
<p class="hint">Leave the e-mail empty and give a phone number to log in as a phone-only
account (the CLI then sees a masked number).</p>
<button name="action" value="approve" type="submit">Approve</button>
<button name="action" value="deny" type="submit">Deny</button>
</form>`,
  );
}

export function showDevicePage(url: URL, res: ServerResponse): void {
  const userCode = normalizeUserCode(url.searchParams.get('user_code') ?? '');
  sendHtml(res, 200, formPage({ userCode, email: DEFAULT_EMAIL, phone: '' }));
}

export async function submitDevicePage(
  req: IncomingMessage,
  res: ServerResponse,
  state: SimulatorState,
): Promise<void> {
  const form = await readForm(req);
  if (!form) {
    sendHtml(res, 415, page('Unsupported form', '<p>Submit the form on /device.</p>'));
    return;
  }
  const values: FormValues = {
    userCode: form.get('user_code') ?? '',
    email: form.get('email') ?? '',
    phone: form.get('phone') ?? '',
  };
  const approve = form.get('action') !== 'deny';
  const decision = decideUserCode(state, values.userCode, approve, {
    email: values.email,
    phone: values.phone,
  });
  if (!decision.ok) {
    const status = decision.reason === 'unknown' ? 404 : 409;
    sendHtml(res, status, formPage({ ...values, error: decision.message }));
    return;
  }
  if (!approve) {
    sendHtml(res, 200, page('Access denied', '<p>The terminal will report the refusal.</p>'));
    return;
  }
  const who = decision.account?.email || decision.account?.phone || 'the account';
  sendHtml(
    res,
    200,
    page(
      'Device authorized',
      `<p>Signed in as <strong>${escapeHtml(who)}</strong>. You can close this page and
return to your terminal.</p>`,
    ),
  );
}
