// Starts ReDoc on the shop's own OpenAPI document. It is a file of its own,
// not an inline script, so the page works under `script-src 'self'`. The URL
// is relative to /redoc, so the page also works under a mount prefix.
Redoc.init("openapi.json", { hideDownloadButton: false }, document.getElementById("redoc"));
