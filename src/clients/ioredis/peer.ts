/**
 * Where a client sends its commands, as tags. A standalone client's address is fixed, so its
 * tags are built once when it is wrapped; a Cluster's serving node depends on the key, so
 * it is looked up per command in the Cluster's public slot map.
 */
import { Buffer } from 'node:buffer';
import { isIP } from 'node:net';
import { TAG, type TagMap } from '../../core/index.js';
import { keySlot } from './cluster-slot.js';
import type { ClusterInternals, SeedNode, StandaloneOptions } from './internal-types.js';

/** Tag with a Cluster's seed nodes (`host:port,host:port`). */
export const TAG_CLUSTER_SEEDS = 'redis.cluster.seeds';

/** `peer.hostname` / `peer.ipv4` / `peer.ipv6` for a host. */
export function hostTags(host: string | undefined, port: number | string | undefined): TagMap {
  if (host === undefined || host === '') return {};
  const family = isIP(host);
  const key = family === 4 ? TAG.PEER_HOST_IPV4 : family === 6 ? TAG.PEER_HOST_IPV6 : TAG.PEER_HOSTNAME;
  const portNumber = port === undefined || port === '' ? undefined : Number(port);
  return { [key]: host, [TAG.PEER_PORT]: Number.isInteger(portNumber) ? portNumber : undefined };
}

/** Peer tags of a standalone (or Sentinel-managed) client, from its parsed options. */
export function standalonePeerTags(options: StandaloneOptions | undefined): TagMap {
  if (options === undefined) return {};
  if (typeof options.path === 'string' && options.path !== '') return { 'peer.address': options.path };
  // Through Sentinel, the host is whichever master Sentinel names later: not known here.
  if (Array.isArray(options.sentinels) && options.sentinels.length > 0) {
    return { 'redis.sentinel.name': options.name };
  }
  return hostTags(options.host ?? 'localhost', options.port ?? 6379);
}

function seedText(node: SeedNode): string {
  if (typeof node === 'number') return `127.0.0.1:${node}`;
  if (typeof node === 'string') return node;
  return `${node.host ?? '127.0.0.1'}:${node.port ?? 6379}`;
}

/** The seed-list tag of a Cluster. */
export function clusterSeedTags(cluster: ClusterInternals): TagMap {
  const seeds = Array.isArray(cluster.startupNodes) ? cluster.startupNodes.map(seedText).join(',') : undefined;
  return { [TAG_CLUSTER_SEEDS]: seeds };
}

const nodeTagCache = new Map<string, TagMap>();

/**
 * Peer tags of the node a ready Cluster routes `key` to (the slot's master, when reads go
 * to masters, the default), or `undefined` when that is not known (not ready yet, replica
 * reads, a command without a key).
 */
export function clusterNodeTags(cluster: ClusterInternals, key: unknown, applyPrefix: boolean): TagMap | undefined {
  if (typeof key !== 'string' && !Buffer.isBuffer(key)) return undefined;
  const scaleReads = cluster.options?.scaleReads;
  if (scaleReads !== undefined && scaleReads !== 'master') return undefined;
  const slots = cluster.slots;
  if (!Array.isArray(slots) || slots.length === 0) return undefined;
  const prefix = applyPrefix ? cluster.options?.keyPrefix : undefined;
  const fullKey = typeof prefix === 'string' && prefix !== '' ? prefix + String(key) : key;
  const nodeKey = slots[keySlot(fullKey)]?.[0];
  if (typeof nodeKey !== 'string') return undefined;
  let tags = nodeTagCache.get(nodeKey);
  if (tags === undefined) {
    const colon = nodeKey.lastIndexOf(':');
    tags = colon === -1 ? hostTags(nodeKey, undefined) : hostTags(nodeKey.slice(0, colon), nodeKey.slice(colon + 1));
    if (nodeTagCache.size < 1024) nodeTagCache.set(nodeKey, tags);
  }
  return tags;
}
