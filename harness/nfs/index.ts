// The real-NFS harness: a ganesha NFSv4 server per test export, a client that goes through the
// NFS protocol without mounting, a FUSE pass-through that can be made to hang, and the checks
// that decide whether these tests run, skip (outside CI) or fail (in CI).
export { startNfsServer, type NfsServer, type ServedDirectory, type StartNfsServerOptions, type SquashMode } from './ganesha.ts';
export { createNfsClient, nfsClientFor, type NfsClient, type NfsClientOptions, type NfsStat, type NfsDirEntry } from './nfs-client.ts';
export { startPassThroughMount, probeStat, isMountPoint, type PassThroughMount, type PassThroughMountOptions, type ProbeResult } from './hung-mount.ts';
export { availability, requireNfsOrSkip, type Availability, type AvailabilityOptions, type NfsFeature } from './availability.ts';
export { NfsToolsMissingError, NfsCommandError, NfsCommandTimeoutError, NFS_INSTALL_HINT } from './errors.ts';
export { nfsUrl } from './nfs-url.ts';
