/**
 * Statistics for live views: per element of a process definition (how many element instances are
 * active, completed, terminated, with incidents, and how long they took), per process definition
 * (instances by state), and active incidents grouped by error. The engine writes per-element
 * counters as deltas with each commit, so reading them costs the same however long the history is.
 */
import type { Key } from '../engine/types.ts'

/** What one commit adds to one element's counters. */
export interface ElementStatisticsDelta {
  readonly processDefinitionKey: Key
  readonly elementId: string
  /** Element instances activated. */
  readonly entered: number
  readonly completed: number
  readonly terminated: number
  /** Sum of the completed element instances' durations. */
  readonly durationTotalMs: number
  /** The completed durations by bucket (see {@link durationBucket}): [bucket, count] pairs. */
  readonly durationBuckets: readonly (readonly [number, number])[]
}

/** One element's counters, summed over the whole history of its process definition. */
export interface ElementStatisticsRecord {
  readonly elementId: string
  readonly entered: number
  readonly completed: number
  readonly terminated: number
  readonly durationTotalMs: number
  readonly durationBuckets: readonly (readonly [number, number])[]
  /** Open incidents at the element now. */
  readonly incidents: number
}

/** Instances of one process definition by state. */
export interface ProcessDefinitionStatisticsRecord {
  readonly processDefinitionKey: Key
  readonly active: number
  readonly completed: number
  readonly terminated: number
  /** Active instances with at least one open incident. */
  readonly withIncidents: number
  /** Active instances started before the `waitingSince` time asked for. */
  readonly waitingSince: number
}

/** Open incidents sharing an error type and message. */
export interface IncidentGroupRecord {
  readonly errorType: string
  readonly errorMessage: string
  readonly count: number
  readonly processDefinitionKeys: readonly Key[]
}

export interface StatisticsStore {
  /** Every element of the definition with counters or open incidents, by element id. */
  elementStatistics(processDefinitionKey: Key): Promise<ElementStatisticsRecord[]>
  /** Every process definition with instances. */
  processDefinitionStatistics(waitingSince: number): Promise<ProcessDefinitionStatisticsRecord[]>
  /** Open incidents grouped by error type and message, largest group first. */
  incidentGroups(limit: number): Promise<IncidentGroupRecord[]>
}

/** Buckets per doubling: each bucket spans about 19% of its lower bound. */
const BUCKETS_PER_DOUBLING = 4
/** The last bucket (about 2^50 ms: beyond any real duration) takes everything longer. */
const LAST_BUCKET = 50 * BUCKETS_PER_DOUBLING

/** The histogram bucket of a duration: 0 under 1 ms, then 4 per doubling. */
export function durationBucket(ms: number): number {
  if (!(ms >= 1)) return 0
  return Math.min(LAST_BUCKET, 1 + Math.floor(Math.log2(ms) * BUCKETS_PER_DOUBLING))
}

/** A bucket's representative duration: the geometric middle of its bounds (0 for bucket 0). */
export function bucketMidpointMs(bucket: number): number {
  if (bucket <= 0) return 0
  return 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING)
}

/** The q-quantile (0..1) of a histogram, within a bucket's width; null when it is empty. */
export function quantileOfBuckets(
  buckets: readonly (readonly [number, number])[],
  q: number,
): number | null {
  const sorted = [...buckets].filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0])
  const total = sorted.reduce((sum, [, count]) => sum + count, 0)
  if (total === 0) return null
  const rank = Math.ceil(q * total)
  let seen = 0
  for (const [bucket, count] of sorted) {
    seen += count
    if (seen >= rank) return bucketMidpointMs(bucket)
  }
  return bucketMidpointMs(sorted[sorted.length - 1]?.[0] ?? 0)
}
