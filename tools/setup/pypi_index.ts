// Where a pinned sdist is downloaded from when pip itself cannot fetch it (pip download
// prepares an sdist's metadata, which some old sdists can no longer do): the file of
// that name in the package's page of the package index pip is configured with
// (PIP_INDEX_URL, pip's own configuration, else pip's built-in default), read through
// the index's Simple API (PEP 503 HTML or PEP 691 JSON) at run time. The repository
// names no index host; the file's sha256 is checked against the pin afterwards, and the
// index's own hash, where it gives one, must already match before anything is fetched.
import { run } from "../lib/proc.ts";

/** The index URL pip would use, asked from pip (never written in the repository). */
export function pipIndexUrl(): string {
  if (process.env.PIP_INDEX_URL) return process.env.PIP_INDEX_URL;
  const cfg = run("python3", ["-m", "pip", "config", "get", "global.index-url"], { allowFail: true });
  if (cfg.status === 0 && cfg.stdout.trim()) return cfg.stdout.trim();
  const dflt = run("python3", ["-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"],
    { allowFail: true });
  if (dflt.status === 0 && dflt.stdout.trim()) return dflt.stdout.trim();
  throw new Error("cannot tell which package index pip uses (set PIP_INDEX_URL)");
}

// Run by python3 (its urllib honours the machine's proxy settings and certificates, as
// pip does): argv = index, project, file name, pinned sha256, destination.
const FETCH_PY = String.raw`
import html, json, re, sys, urllib.parse, urllib.request
index, project, filename, sha, dest = sys.argv[1:6]
page = index.rstrip("/") + "/" + re.sub(r"[-_.]+", "-", project).lower() + "/"
req = urllib.request.Request(page, headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"})
with urllib.request.urlopen(req) as r:
    body = r.read().decode("utf-8")
    ctype = r.headers.get("Content-Type", "")
files = []
if "json" in ctype:
    for f in json.loads(body).get("files", []):
        files.append((f["filename"], urllib.parse.urljoin(page, f["url"]), f.get("hashes", {}).get("sha256", "")))
else:
    for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', body):
        href = html.unescape(href)
        m = re.search(r"#sha256=([0-9a-f]{64})", href)
        files.append((text.strip(), urllib.parse.urljoin(page, href.split("#")[0]), m.group(1) if m else ""))
hit = [f for f in files if f[0] == filename]
if not hit:
    sys.exit("the index page of %s lists no file %s" % (project, filename))
name, url, listed = hit[0]
if listed and listed != sha:
    sys.exit("the index lists %s with sha256 %s, not the pinned %s" % (filename, listed, sha))
urllib.request.urlretrieve(url, dest)
`;

/** Download `filename` of `project` from pip's index into `dest` (the caller checks its sha256). */
export function fetchFromPipIndex(project: string, filename: string, sha256: string, dest: string): void {
  const index = pipIndexUrl();
  const r = run("python3", ["-c", FETCH_PY, index, project, filename, sha256, dest], { allowFail: true });
  if (r.status !== 0) {
    const why = r.stderr.trim().split("\n").slice(-3).join("\n");
    throw new Error(`fetching ${filename} from the package index pip uses (${index}): ${why}`);
  }
}
