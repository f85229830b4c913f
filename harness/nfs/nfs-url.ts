// libnfs URLs: nfs://<server>/<pseudo path>/<dir>?version=4&nfsport=<port>[&uid=N&gid=N].
// `nfsport` makes libnfs skip the portmapper; `uid`/`gid` set the AUTH_SYS credentials that the
// server checks (and squashes), so one process can act as any user without changing its own ids.

export interface NfsUrlParts {
  server?: string;
  port: number;
  pseudoPath: string;
  dir?: string;
  uid?: number;
  gid?: number;
}

export function nfsUrl(parts: NfsUrlParts): string {
  const segments = [parts.pseudoPath, parts.dir ?? '']
    .flatMap((s) => s.split('/'))
    .filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new Error(`NFS path must not contain "..": ${parts.dir ?? ''}`);
  const path = segments.map((s) => encodeURIComponent(s)).join('/');
  let query = `version=4&nfsport=${parts.port}`;
  if (parts.uid !== undefined) query += `&uid=${parts.uid}`;
  if (parts.gid !== undefined) query += `&gid=${parts.gid}`;
  return `nfs://${parts.server ?? '127.0.0.1'}/${path}?${query}`;
}
