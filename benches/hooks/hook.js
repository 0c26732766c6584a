// A typical Node command hook, for comparison (benches/runner): reads the
// HookInput on stdin and posts it to the webhook given as the first argument.
'use strict';
const http = require('http');
let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (data += c));
process.stdin.on('end', () => {
  const body = JSON.stringify(JSON.parse(data));
  const u = new URL(process.argv[2]);
  const req = http.request(
    {
      hostname: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      timeout: 5000,
    },
    (res) => {
      res.resume();
      res.on('end', () => process.exit(res.statusCode < 300 ? 0 : 1));
    },
  );
  req.on('error', (e) => {
    console.error(e.message);
    process.exit(1);
  });
  req.end(body);
});
