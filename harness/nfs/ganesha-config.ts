// Renders the ganesha.conf of one temporary NFSv4 export. Every setting here exists for a reason
// found by running nfs-ganesha 4.3 (Debian 12) on these machines:
// - Protocols = 4 only: no MOUNT/NLM/RQUOTA services, so nothing but the NFS port is opened and
//   several servers can run side by side (each on its own port; they only fight over rpcbind's
//   registration of program 100003, which clients that name `nfsport=` never consult).
// - Graceless = true: a fresh server otherwise refuses OPEN (file creation and writes) with
//   NFS4ERR_GRACE for Grace_Period seconds (90 s by default). Short lease and grace values bound
//   the damage should graceless ever be ignored.
// - RecoveryBackend = fs under the temporary directory: client recovery records stay out of
//   /var/lib/nfs/ganesha.
// - Only_Numeric_Owners: ganesha sends owners as "0", "1000" instead of "root@localdomain";
//   libnfs cannot map names and would show every file as 65534 (nobody). Numeric owners make the
//   uids a client sees match the export's, which the root_squash tests depend on.
// - Attr_Expiration_Time = 0: the export is changed behind ganesha's back (the provisioner writes
//   to the directory, not through NFS). With the default 60 s attribute cache, ganesha keeps
//   checking ACCESS against a directory's old owner and mode after a chown/chmod, so a
//   permitted client is refused (and an OPEN may half-succeed: file created, then EINVAL).
// - The probe for "answering" lists the pseudo root "/", which every client may read, not the
//   export, which a squashed client may not.
// - Enable_UDP = false: nothing uses UDP; avoids a failed rpcbind registration.
// - Several EXPORT blocks (Export_Id 1, 2, ...) serve several directories from one server, each
//   at its own pseudo path, as one NFS server exporting two shares does; VFS handles them all.

export type SquashMode = 'no_root_squash' | 'root_squash' | 'all_squash';

export interface GaneshaConfigInput {
  exportDir: string;
  pseudoPath: string;
  /** Further exports of the same server, with the same settings. */
  moreExports?: readonly { exportDir: string; pseudoPath: string }[];
  port: number;
  squash: SquashMode;
  anonUid: number;
  anonGid: number;
  recoveryDir: string;
}

const SQUASH_VALUE: Record<SquashMode, string> = {
  no_root_squash: 'No_Root_Squash',
  root_squash: 'Root_Squash',
  all_squash: 'All_Squash',
};

/** Values are written into a config language without escapes: refuse anything that could break it. */
function safeConfigPath(what: string, value: string): string {
  if (!value.startsWith('/') || !/^[A-Za-z0-9_./@+-]+$/.test(value)) {
    throw new Error(`${what} must be an absolute path of [A-Za-z0-9_./@+-], got ${JSON.stringify(value)}`);
  }
  return value;
}

export function renderGaneshaConfig(input: GaneshaConfigInput): string {
  const exports = [{ exportDir: input.exportDir, pseudoPath: input.pseudoPath }, ...(input.moreExports ?? [])].map((e) => ({
    exportDir: safeConfigPath('exportDir', e.exportDir),
    pseudo: safeConfigPath('pseudoPath', e.pseudoPath),
  }));
  const recovery = safeConfigPath('recovery directory', input.recoveryDir);
  for (const [name, n] of [['port', input.port], ['anonUid', input.anonUid], ['anonGid', input.anonGid]] as const) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${n}`);
  }
  return `# Written by harness/nfs for one test export; see harness/nfs/ganesha-config.ts.
NFS_CORE_PARAM {
  Protocols = 4;
  NFS_Port = ${input.port};
  Bind_addr = 127.0.0.1;
  Enable_NLM = false;
  Enable_RQUOTA = false;
  Enable_UDP = false;
}
NFSV4 {
  Graceless = true;
  Grace_Period = 5;
  Lease_Lifetime = 5;
  RecoveryBackend = fs;
  RecoveryRoot = ${recovery};
  Allow_Numeric_Owners = true;
  Only_Numeric_Owners = true;
}
LOG {
  # TIRPC logs a line for most closed client connections; WARN trims the rest of its chatter.
  COMPONENTS { TIRPC = WARN; }
}
NFS_KRB5 {
  # No Kerberos here: without this the log carries CRIT lines about /etc/krb5.keytab.
  Active_krb5 = false;
}
${exports.map((e, index) => exportBlock(index + 1, e.exportDir, e.pseudo, input)).join('')}`;
}

function exportBlock(id: number, exportDir: string, pseudo: string, input: GaneshaConfigInput): string {
  return `EXPORT {
  Export_Id = ${id};
  Path = ${exportDir};
  Pseudo = ${pseudo};
  Protocols = 4;
  Transports = TCP;
  Access_Type = RW;
  Squash = ${SQUASH_VALUE[input.squash]};
  Anonymous_Uid = ${input.anonUid};
  Anonymous_Gid = ${input.anonGid};
  SecType = sys;
  Attr_Expiration_Time = 0;
  FSAL { Name = VFS; }
}
`;
}
